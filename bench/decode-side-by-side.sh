#!/usr/bin/env bash
# decode-side-by-side.sh: batch-1 prefill and decode speed of jchat beside llama.cpp and PyTorch, on the same
# weights, in one run (issue 5). Prints one table: engine, config, dtype, prefill tok/s, decode tok/s, the CPU other
# processes used meanwhile, and jchat's speed as a multiple of each anchor's.
#
#   mvn -o -q install -DskipTests          # builds cli/target/jchat.jar
#   bench/decode-side-by-side.sh            # configs S and M, 3 interleaved rounds
#   CONFIGS=S ROUNDS=1 QUIET_WAIT=0 bench/decode-side-by-side.sh   # a quick trial
#   bench/decode-side-by-side.sh --table RUN/results.tsv             # the table of an earlier or interrupted run
#
# What runs, per config (S: 6 layers d384, M: 12 layers d768 ffn 2048, ~98M parameters; vocabulary 8192; both in
# DESIGN.md), all with 2 threads:
#   weights   one set of random weights: torch_llama_cpu.py --export writes them as an HF folder (config.json,
#             model.safetensors); jchat export turns that into GGUF f32 and q8_0. The export needs a tokenizer, which a
#             random model has none of: a small one (512 ids) is trained on this repository's README and docs and put
#             beside the weights. Only ids are ever fed in, never text; the model's other ids are listed in the GGUF
#             as unused tokens.
#   jchat     jchat bench decode --checkpoint MODEL-f32.gguf: a prompt of 128 random ids prefilled, 128 tokens
#             decoded greedily (untimed runs until the JIT has compiled the kernels, then the median of 3). q8_0
#             too when this jchat build has a q8_0 decode path (bench decode --help lists --dtype; or set JCHAT_Q8_ARGS to the
#             extra arguments that select it); otherwise that row says n/a.
#   llama.cpp bench/llamacpp-bench.mjs through node-llama-cpp 3.22.1's prebuilt CPU binaries (the version the cli
#             module tests against), on the same f32 and q8_0 GGUF files: the same prompt length and decoded tokens,
#             one untimed run, then the median of 3 (see that file for what the timing includes).
#   PyTorch   ../shared/bench/torch_llama_cpu.py --mode decode in the tuned environment of ../shared/bench/README.md
#             (OpenMP OpenBLAS, AVX-512 kernels), f32. It has no prefill and no prompt: it decodes 255 tokens from
#             position 0 (a discarded warm-up pass first), sampling multinomially in a Python loop; jchat decodes
#             positions 128-255. Attention is a small share of a step at these lengths, so the rates compare.
# The engines alternate (A B C A B C A B C), ROUNDS times per config, each command through measure.sh, which first
# waits for a quiet machine (QUIET_WAIT seconds at most) and then reports the foreign CPU; the table gives medians
# over the rounds and the largest foreign share seen. The machine is shared: a row with more than a few % foreign CPU
# is contaminated, llama.cpp's most of all: its threads spin at a barrier after every operation, so when another
# process holds one of the 2 cores, its 2-thread decode collapses (seen: 5 tok/s for S at ~60% foreign CPU, where
# 1 thread still gave ~380). Even on a quiet machine this prebuilt llama.cpp decodes slower with 2 threads than with
# 1 (M q8_0 at 1% foreign CPU: 49 tok/s with 2, 176 with 1; prefill gains from the second thread): LLAMA_THREADS=1
# runs llama.cpp with one thread for comparison (jchat and PyTorch keep 2).
#
# Needs: cli/target/jchat.jar, a Java 25 (JAVA_HOME or /usr/lib/jvm/temurin-25*), node and npm, Debian's python3-torch
# (/usr/bin/python3), the OpenMP OpenBLAS unpacked under $WORK (the recipe is in ../shared/bench/README.md; done here
# when missing). node-llama-cpp is installed into $WORK/llamacpp with npm when missing. Outputs: $WORK/decode-sbs:
# the weights, and run-DATE/ with each command's log and results.tsv (the per-round figures; the table is printed
# from it, also when the run is interrupted). Env: WORK (default ${TMPDIR:-/tmp}/jchat-bench), SHARED (default
# ../shared), CONFIGS ("S M"), ROUNDS (3), QUIET_WAIT (measure.sh's, default 300), LIMIT (seconds one command may
# run, default 600; a command cut off gives no numbers, only its foreign CPU), FRESH=1 to rebuild the weights.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SHARED="$(cd "${SHARED:-$ROOT/../shared}" && pwd)"
WORK="${WORK:-${TMPDIR:-/tmp}/jchat-bench}"
OUT="$WORK/decode-sbs"
CONFIGS="${CONFIGS:-S M}"
ROUNDS="${ROUNDS:-3}"
PROMPT=128
TOKENS=128
THREADS=2
LIMIT="${LIMIT:-600}"
LLAMA_THREADS="${LLAMA_THREADS:-$THREADS}"
NODE_LLAMA_CPP=3.22.1
mkdir -p "$OUT/logs"

JAR="$ROOT/cli/target/jchat.jar"
[[ -f "$JAR" ]] || { echo "no $JAR: build it first (mvn -o -q install -DskipTests)" >&2; exit 1; }
JAVA_HOME="${JAVA_HOME:-$(ls -d /usr/lib/jvm/temurin-25* 2>/dev/null | head -1)}"
JCHAT=("$JAVA_HOME/bin/java" -XX:+UseParallelGC --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector
       -jar "$JAR")
MEASURE="$SHARED/bench/measure.sh"
OPENBLAS="$WORK/openblas-openmp/usr/lib/x86_64-linux-gnu/openblas-openmp"
TUNED=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "LD_LIBRARY_PATH=$OPENBLAS")
MODULES="$WORK/llamacpp/node_modules"

# table RESULTS.tsv [JCHAT_Q8_ARGS]: medians over the rounds, one row per engine, config and type
table() {
    python3 - "$1" "${2:-n/a}" <<'EOF'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
jchat_q8 = sys.argv[2] != "n/a"

def num(s):
    try:
        return float(s)
    except ValueError:
        return None

groups = {}
for r in rows:
    groups.setdefault((r["config"], r["engine"], r["dtype"]), []).append(r)

def med(rs, field):
    xs = [x for x in (num(r[field]) for r in rs) if x is not None]
    return statistics.median(xs) if xs else None

fmt = lambda x: "-" if x is None else f"{x:,.0f}" if x >= 100 else f"{x:.1f}"
ratio = lambda a, b: "-" if a is None or b is None else f"{a / b:.2f}x"
print()
print("| engine | config | dtype | prefill tok/s | decode tok/s | foreign CPU (max) | rounds "
      "| jchat / this, prefill | jchat / this, decode |")
print("|---|---|---|---|---|---|---|---|---|")
for config in dict.fromkeys(r["config"] for r in rows):
    for engine in ("jchat", "llama.cpp", "PyTorch"):
        for dtype in ("f32", "q8_0"):
            rs = groups.get((config, engine, dtype))
            if not rs:
                if engine == "jchat" and dtype == "q8_0" and not jchat_q8:
                    print(f"| jchat | {config} | q8_0 | n/a | n/a | | | no q8_0 decode path in this build | |")
                continue
            p, d = med(rs, "prefill"), med(rs, "decode")
            foreign = max((num(r["foreign"]) or 0) for r in rs)
            # jchat against each anchor: jchat of the same type, or jchat f32 where jchat has no q8_0 row
            j = groups.get((config, "jchat", dtype)) or groups.get((config, "jchat", "f32")) or []
            jd = "jchat " + (dtype if groups.get((config, "jchat", dtype)) else "f32")
            rp = ratio(med(j, "prefill"), p) if engine != "jchat" else ""
            rd = ratio(med(j, "decode"), d) if engine != "jchat" else ""
            if engine != "jchat" and jd != f"jchat {dtype}":
                rp, rd = (f"{x} ({jd})" if x != "-" else x for x in (rp, rd))
            print(f"| {engine} | {config} | {dtype} | {fmt(p)} | {fmt(d)} | {foreign:.0f}% | {len(rs)} | {rp} | {rd} |")
print()
print("medians over the rounds; per-round figures in", sys.argv[1])
EOF
}

if [[ "${1:-}" == --table ]]; then
    table "$2" "${JCHAT_Q8_ARGS:-}"
    exit 0
fi

# --- setup: the anchors' software ---------------------------------------------------------------------------------
if [[ ! -f "$MODULES/node-llama-cpp/package.json" ]] \
        || [[ "$(node -p "require('$MODULES/node-llama-cpp/package.json').version")" != "$NODE_LLAMA_CPP" ]]; then
    echo "installing node-llama-cpp $NODE_LLAMA_CPP into $WORK/llamacpp"
    npm install --omit=optional --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
        --prefix "$WORK/llamacpp" "node-llama-cpp@$NODE_LLAMA_CPP" "@node-llama-cpp/linux-x64@$NODE_LLAMA_CPP"
fi
if [[ ! -f "$OPENBLAS/libopenblas.so.0" ]]; then
    echo "unpacking the OpenMP build of OpenBLAS into $WORK/openblas-openmp"
    (cd "$WORK" && apt-get download libopenblas0-openmp && dpkg-deb -x libopenblas0-openmp_*.deb "$WORK/openblas-openmp")
fi

# --- setup: one set of weights per config, in the three files the engines load -------------------------------------
if [[ "${FRESH:-0}" == 1 || ! -f "$OUT/tokenizer/tokenizer.json" ]]; then
    "${JCHAT[@]}" tokenizer train --input README.md --input docs --vocab-size 512 --threads 1 --out "$OUT/tokenizer" \
        > "$OUT/logs/tokenizer.log" 2>&1
fi
for c in $CONFIGS; do
    d="$OUT/$c"
    if [[ "${FRESH:-0}" == 1 || ! -f "$d/model-q8_0.gguf" ]]; then
        echo "config $c: random weights (PyTorch) -> HF folder -> GGUF f32 and q8_0 (jchat export)"
        rm -rf "$d" && mkdir -p "$d"
        /usr/bin/python3 "$SHARED/bench/torch_llama_cpu.py" --config "$c" --export "$d/hf"
        cp "$OUT/tokenizer/tokenizer.json" "$d/hf/"
        for t in f32 q8_0; do
            "${JCHAT[@]}" export --checkpoint "$d/hf" --format gguf --dtype "$t" --out "$d/model-$t.gguf" \
                >> "$OUT/logs/export-$c.log" 2>&1 || { cat "$OUT/logs/export-$c.log" >&2; exit 1; }
        done
    fi
done

# jchat's q8_0 path, if this build has one
if [[ -z "${JCHAT_Q8_ARGS+set}" ]]; then
    if "${JCHAT[@]}" bench decode --help 2>/dev/null | grep -q -- '--dtype'; then
        JCHAT_Q8_ARGS="--dtype q8_0"
    else
        JCHAT_Q8_ARGS="n/a"
    fi
fi

# --- the interleaved rounds --------------------------------------------------------------------------------------
RUN="$OUT/run-$(date +%Y%m%d-%H%M%S)"   # this run's logs and results.tsv
mkdir -p "$RUN"
RESULTS="$RUN/results.tsv"
printf 'round\tengine\tconfig\tdtype\tprefill\tdecode\tforeign\n' > "$RESULTS"

# run ROUND ENGINE CONFIG DTYPE CMD...: one measured command; its log kept, its numbers appended to results.tsv
run() {
    local round=$1 engine=$2 config=$3 dtype=$4; shift 4
    local log="$RUN/$config-$engine-$dtype-$round.log" prefill="" decode=""
    echo "round $round, config $config: $engine $dtype"
    if ! "$MEASURE" timeout "$LIMIT" "$@" > "$log" 2>&1; then
        echo "  failed (log: $log)"; tail -5 "$log" | sed 's/^/  | /'
    fi
    case $engine in
        jchat)   read -r prefill decode < <(sed -n 's/.*prefill [0-9]* tokens \([0-9.]*\) tok\/s, decode [0-9]* tokens \([0-9.]*\) tok\/s.*/\1 \2/p' "$log") || true ;;
        llama.cpp) read -r prefill decode < <(sed -n 's/^RESULT llamacpp prefill_tok_s=\([0-9.]*\) decode_tok_s=\([0-9.]*\).*/\1 \2/p' "$log") || true ;;
        PyTorch) prefill="-"; decode=$(sed -n 's/^RESULT llama decode config=[A-Z]* tok\/s=\([0-9.]*\).*/\1/p' "$log") ;;
    esac
    local foreign
    foreign=$(sed -n 's/^\[measure\].*foreign cpu [0-9.]*s (\([0-9]*\)% of machine).*/\1/p' "$log")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$engine" "$config" "$dtype" "${prefill:-?}" "${decode:-?}" \
        "${foreign:-?}" >> "$RESULTS"
    echo "  prefill ${prefill:-?} tok/s, decode ${decode:-?} tok/s, foreign CPU ${foreign:-?}%"
}

trap 'echo "interrupted: the rounds so far"; table "$RESULTS" "$JCHAT_Q8_ARGS"; exit 130' INT TERM
for c in $CONFIGS; do
    d="$OUT/$c"
    for round in $(seq 1 "$ROUNDS"); do
        run "$round" jchat "$c" f32 "${JCHAT[@]}" bench decode --checkpoint "$d/model-f32.gguf" --threads $THREADS \
            --prompt-tokens $PROMPT --tokens $TOKENS --runs 3
        if [[ "$JCHAT_Q8_ARGS" != n/a ]]; then
            # shellcheck disable=SC2086
            run "$round" jchat "$c" q8_0 "${JCHAT[@]}" bench decode --checkpoint "$d/model-q8_0.gguf" $JCHAT_Q8_ARGS \
                --threads $THREADS --prompt-tokens $PROMPT --tokens $TOKENS --runs 3
        fi
        for t in f32 q8_0; do
            run "$round" llama.cpp "$c" "$t" node "$ROOT/bench/llamacpp-bench.mjs" "$d/model-$t.gguf" \
                --modules "$MODULES" --threads "$LLAMA_THREADS" --prompt-tokens $PROMPT --tokens $TOKENS --runs 3
        done
        run "$round" PyTorch "$c" f32 "${TUNED[@]}" /usr/bin/python3 "$SHARED/bench/torch_llama_cpu.py" --config "$c" \
            --mode decode --repeats 1 --threads $THREADS
    done
done

table "$RESULTS" "$JCHAT_Q8_ARGS"
