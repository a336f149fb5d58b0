// llamacpp-bench.mjs: batch-1 prefill and decode speed of llama.cpp on a GGUF file, through node-llama-cpp's
// prebuilt CPU binaries, measured the way `jchat bench decode` measures jchat; run by bench/decode-side-by-side.sh.
//
//   node bench/llamacpp-bench.mjs MODEL.gguf --modules DIR/node_modules [--prompt-tokens 128] [--tokens 128]
//        [--runs 3] [--threads 2] [--api addon|sequence]
//
// Per run: a fresh context (empty KV cache; node-llama-cpp's defaults otherwise: F16 KV cache, flash attention
// "auto"), one sequence, a batch as large as the prompt, --threads threads. The prompt is
// --prompt-tokens uniform random ids (fixed seed, no BOS), as jchat's is. Greedy decoding, no stop tokens.
//   prefill = from the start until the first new token is known: one llama_decode of the whole prompt (logits of
//             the last position only) and the greedy pick of the first token;
//   decode  = from there until the --tokens-th token: --tokens - 1 single-token llama_decode calls, each followed by
//             its greedy pick; reported as --tokens / time, which is how jchat's Engine counts (its first decoded
//             token also comes from the prefill's logits).
// --api addon (default) times the least JS there is: the binding's own initBatch / addToBatch / decodeBatch /
// sampleToken calls (internal API, pinned by the version), so per token one async hop to a worker thread for the
// decode and one for the sample. --api sequence times the public sequence.evaluate() generator instead, which adds
// node-llama-cpp's batching queue, locks and sampler set-up per token. Both print llama.cpp's own counters of the
// last run (llama_perf_context "prompt eval" and "eval", native time only) to show what the JS around them costs.
// One untimed warm-up run first, then the median of --runs; the last line is "RESULT llamacpp prefill_tok_s=...
// decode_tok_s=...".
import path from "node:path";
import {createRequire} from "node:module";

const args = process.argv.slice(2);
const option = (name, fallback) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : fallback;
};
const model = args[0];
const promptTokens = Number(option("--prompt-tokens", 128));
const tokens = Number(option("--tokens", 128));
const runs = Number(option("--runs", 3));
const threads = Number(option("--threads", 2));
const modules = option("--modules", null);
const api = option("--api", "addon");
if (!model || model.startsWith("--")) {
    console.error("usage: node llamacpp-bench.mjs MODEL.gguf [--prompt-tokens N] [--tokens N] [--runs N] [--threads N] "
        + "[--modules NODE_MODULES_DIR]");
    process.exit(2);
}

// node-llama-cpp lives outside the repository ($WORK/llamacpp/node_modules): resolve it from --modules if given
const require = createRequire(modules ? path.join(path.resolve(modules), "noop.js") : import.meta.url);
const {getLlama, LlamaLogLevel} = await import(require.resolve("node-llama-cpp"));
const version = JSON.parse(await (await import("node:fs/promises")).readFile(
    path.join(path.dirname(require.resolve("node-llama-cpp")), "..", "package.json"), "utf8")).version;

// llama.cpp's perf report comes through the logger at info level; everything else is dropped
let perfLines = [];
const llama = await getLlama({
    gpu: false, build: "never", logLevel: LlamaLogLevel.info,
    logger: (level, message) => {
        if (message.includes("prompt eval time") || /\beval time\b/.test(message)) {
            perfLines.push(message.trim());
        }
    }
});
const loaded = await llama.loadModel({modelPath: model});
const vocab = loaded.fileInfo.metadata.tokenizer.ggml.tokens.length;

// the same kind of prompt as jchat's (uniform random ids); a fixed-seed LCG so every run and engine call sees one prompt
let seed = 12345;
const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const prompt = Array.from({length: promptTokens}, () => Math.floor(random() * vocab));

// The public API: evaluate(), the generator every higher node-llama-cpp API is built on.
async function runSequence(context) {
    const sequence = context.getSequence();
    const generated = [];
    const t0 = performance.now();
    let t1 = t0;
    for await (const token of sequence.evaluate(prompt, {temperature: 0})) {
        generated.push(token);
        if (generated.length === 1) {
            t1 = performance.now();
        }
        if (generated.length === tokens) {
            break;
        }
    }
    return {t0, t1, t2: performance.now(), generated};
}

// The addon underneath it (internal, pinned by the version): fill a batch, llama_decode, sample; nothing else.
async function runAddon(context) {
    const ctx = context._ctx;
    const id = context.getSequence()._sequenceId;
    const sampler = new llama._bindings.AddonSampler(loaded._model);
    sampler.applyConfig({temperature: 0}); // greedy
    const decode = async (position, ids) => {
        ctx.initBatch(ids.length);
        const [logitIndex] = ctx.addToBatch(id, position, Uint32Array.from(ids), Uint32Array.of(ids.length - 1));
        await ctx.decodeBatch();
        return await ctx.sampleToken(logitIndex, sampler);
    };
    const generated = [];
    const t0 = performance.now();
    generated.push(await decode(0, prompt));
    const t1 = performance.now();
    while (generated.length < tokens) {
        generated.push(await decode(promptTokens + generated.length - 1, [generated.at(-1)]));
    }
    const t2 = performance.now();
    sampler.dispose();
    return {t0, t1, t2, generated};
}

async function run() {
    const context = await loaded.createContext({contextSize: promptTokens + tokens, batchSize: promptTokens,
        sequences: 1, threads, performanceTracking: true});
    const {t0, t1, t2, generated} = await (api === "addon" ? runAddon(context) : runSequence(context));
    perfLines = [];
    await context.printTimings();
    const perf = perfLines.join(" | ");
    await context.dispose();
    return {prefill: promptTokens / ((t1 - t0) / 1e3), decode: tokens / ((t2 - t1) / 1e3), perf, generated};
}

const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
await run(); // warm-up: page in the weights, spin up the threads
const results = [];
for (let i = 0; i < runs; i++) {
    const r = await run();
    results.push(r);
    console.log(`run ${i + 1}: prefill ${promptTokens} tokens ${r.prefill.toFixed(1)} tok/s, decode ${tokens} tokens `
        + `${r.decode.toFixed(1)} tok/s`);
}
console.log(`api ${api}; first greedy tokens: ${results.at(-1).generated.slice(0, 8).join(" ")}`);
console.log(`llama.cpp's own counters, last run: ${results.at(-1).perf || "(none reported)"}`);
console.log(`RESULT llamacpp prefill_tok_s=${median(results.map(r => r.prefill)).toFixed(1)} `
    + `decode_tok_s=${median(results.map(r => r.decode)).toFixed(1)} threads=${threads} `
    + `prompt=${promptTokens} tokens=${tokens} runs=${runs} node-llama-cpp=${version} `
    + `llama.cpp=${llama.llamaCppRelease.release} model=${model}`);
await loaded.dispose();
await llama.dispose();
