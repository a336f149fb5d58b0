// Runs jchat's GGUF exports in llama.cpp (through node-llama-cpp's prebuilt binaries) and reads them with
// @huggingface/gguf, an independent parser. Usage: node parity.mjs REQUEST.json RESULT.json
// REQUEST: {"prompt": text, "steps": n, "models": [path, ...], "texts": [text, ...], "chat": [{"role", "content"}]}
// RESULT: versions, and per model: the parser's view of the metadata, llama.cpp's ids for the prompt and each
// text (specials not parsed), its greedy continuation and the raw next-token logits before each greedy step
// (after the prompt, then after each generated token), and the chat rendered by the template, as ids.
import fs from "node:fs";
import path from "node:path";
import {getLlama, LlamaLogLevel, JinjaTemplateChatWrapper} from "node-llama-cpp";
import {gguf} from "@huggingface/gguf";

const [requestFile, resultFile] = process.argv.slice(2);
const request = JSON.parse(fs.readFileSync(requestFile, "utf8"));
const here = path.dirname(new URL(import.meta.url).pathname);
const version = name => JSON.parse(fs.readFileSync(path.join(here, "node_modules", name, "package.json"), "utf8")).version;

const llama = await getLlama({gpu: false, build: "never", logLevel: LlamaLogLevel.error});
const result = {
    nodeLlamaCpp: version("node-llama-cpp"),
    huggingfaceGguf: version("@huggingface/gguf"),
    llamaCpp: llama.llamaCppRelease.release,
    models: []
};
for (const file of request.models) {
    const parsed = await gguf(file, {allowLocalFile: true});
    const meta = parsed.metadata;
    const pick = key => (typeof meta[key] === "bigint" ? Number(meta[key]) : meta[key]);
    const parser = {
        version: pick("version"),
        architecture: pick("general.architecture"),
        tensorCount: Number(parsed.tensorInfos.length),
        tensors: parsed.tensorInfos.map(t => ({name: t.name, dims: t.shape.map(Number), type: t.dtype})),
        blockCount: pick("llama.block_count"),
        headCountKv: pick("llama.attention.head_count_kv"),
        ropeFreqBase: pick("llama.rope.freq_base"),
        tokenizerPre: pick("tokenizer.ggml.pre"),
        tokenCount: meta["tokenizer.ggml.tokens"].length,
        mergeCount: meta["tokenizer.ggml.merges"].length,
        eotTokenId: pick("tokenizer.ggml.eot_token_id"),
        chatTemplate: pick("tokenizer.chat_template")
    };

    const model = await llama.loadModel({modelPath: file});
    const promptIds = Array.from(model.tokenize(request.prompt));
    const textIds = (request.texts ?? []).map(text => Array.from(model.tokenize(text)));
    // an F32 KV cache (llama.cpp's default is F16), so that an F32 model is compared in F32 throughout
    const context = await model.createContext({contextSize: 256, batchSize: 256, sequences: 1, threads: 2,
        flashAttention: false, experimentalKvCacheKeyType: "F32", experimentalKvCacheValueType: "F32"});
    const sequence = context.getSequence();
    const next = token => [token, {generateNext: {logits: true}}];
    let items = [model.tokens.bos, ...promptIds];
    items[items.length - 1] = next(items[items.length - 1]);
    const greedy = [];
    const logits = [];
    for (let step = 0; step < request.steps; step++) {
        const evaluated = await sequence.controlledEvaluate(items);
        const scores = evaluated[evaluated.length - 1].next.logits;
        const row = new Array(model.fileInfo.metadata.tokenizer.ggml.tokens.length).fill(null);
        for (const [token, value] of scores) {
            row[token] = value;
        }
        logits.push(row);
        // the map is sorted by logit, highest first
        const best = scores.keys().next().value;
        greedy.push(best);
        items = [next(best)];
    }
    let chat = null;
    if (request.chat && parser.chatTemplate) {
        // as LlamaChatSession renders a conversation before the reply: the history, then an empty model turn
        const wrapper = new JinjaTemplateChatWrapper({template: parser.chatTemplate, tokenizer: model.tokenizer});
        const history = request.chat.map(m => m.role === "assistant"
            ? {type: "model", response: [m.content]}
            : {type: m.role, text: m.content});
        history.push({type: "model", response: []});
        const {contextText} = wrapper.generateContextState({chatHistory: history});
        chat = Array.from(contextText.tokenize(model.tokenizer));
    }
    result.models.push({file, parser, promptIds, textIds, greedy, text: model.detokenize(greedy), logits, chat,
        bos: model.tokens.bos, eos: model.tokens.eos, eot: model.tokens.eot});
    await context.dispose();
    await model.dispose();
}
fs.writeFileSync(resultFile, JSON.stringify(result));
await llama.dispose();
