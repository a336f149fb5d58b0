#!/usr/bin/env bash
# Training speed of jchat beside the PyTorch anchor, in one window: for each round and config, PyTorch
# (../shared/bench/torch_llama_cpu.py, tuned OpenMP OpenBLAS, 5 warm-up steps, median of 20) then jchat
# (`jchat bench train`: warm-up until the JIT has compiled the kernels, median of 20), each through
# ../shared/bench/measure.sh, which waits for a quiet machine and reports the CPU other processes used
# meanwhile ("foreign"). Prints one line per run and a table of medians with jchat's speed-up.
#
#   bench/train-side-by-side.sh [ROUNDS] [CONFIGS]        # defaults: 3 rounds, "T S"
#
# Needs: cli/target/jchat.jar (mvn -q install -DskipTests), Debian's python3-torch, and the OpenMP OpenBLAS
# unpacked in $WORK/openblas-openmp (../shared/bench/README.md shows how). Logs go to $WORK/train-sbs.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
configs=${2:-"T S"}
WORK=${WORK:-${TMPDIR:-/tmp}/jchat-bench}
anchors=../shared/bench
java=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
blas=$WORK/openblas-openmp/usr/lib/x86_64-linux-gnu/openblas-openmp
[[ -d "$blas" ]] || { echo "no OpenMP OpenBLAS in $blas: see $anchors/README.md" >&2; exit 1; }
[[ -f cli/target/jchat.jar ]] || { echo "no cli/target/jchat.jar: run mvn -q install -DskipTests" >&2; exit 1; }
logs=$WORK/train-sbs
mkdir -p "$logs"
: > "$logs/results.tsv"

for round in $(seq "$rounds"); do
  for config in $configs; do
    torch_log=$logs/torch-$config-$round.log
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE LD_LIBRARY_PATH="$blas" \
      "$anchors/measure.sh" /usr/bin/python3 "$anchors/torch_llama_cpu.py" --config "$config" --peak 570 > "$torch_log" 2>&1
    jchat_log=$logs/jchat-$config-$round.log
    "$anchors/measure.sh" "$java" --add-modules jdk.incubator.vector -jar cli/target/jchat.jar \
      bench train --config "$config" --steps 20 > "$jchat_log" 2>&1
    torch_ms=$(grep -oP '(?<=ms/step=)[\d.]+' "$torch_log" | tail -1)
    jchat_ms=$(grep -oP '[\d.]+(?= ms/step)' "$jchat_log" | tail -1)
    torch_foreign=$(grep -oP '\(\d+% of machine' "$torch_log" | grep -oP '\d+' | tail -1)
    jchat_foreign=$(grep -oP '\(\d+% of machine' "$jchat_log" | grep -oP '\d+' | tail -1)
    mfu=$(grep -oP 'MFU [\d.]+%' "$jchat_log" | tail -1)
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$config" "$torch_ms" "$torch_foreign" "$jchat_ms" \
      "$jchat_foreign" "${mfu#MFU }" | tee -a "$logs/results.tsv"
  done
done

python3 - "$logs/results.tsv" <<'EOF'
import statistics, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1]) if line.strip()]
print("\n| config | PyTorch ms/step | jchat ms/step | jchat / PyTorch | rounds (foreign CPU % torch/jchat) |")
print("|---|---|---|---|---|")
for config in dict.fromkeys(r[1] for r in rows):
    mine = [r for r in rows if r[1] == config]
    torch = statistics.median(float(r[2]) for r in mine)
    jchat = statistics.median(float(r[4]) for r in mine)
    foreign = ", ".join(f"{r[3]}/{r[5]}" for r in mine)
    print(f"| {config} | {torch:.1f} | {jchat:.1f} | {torch / jchat:.2f}x | {len(mine)} ({foreign}) |")
EOF
