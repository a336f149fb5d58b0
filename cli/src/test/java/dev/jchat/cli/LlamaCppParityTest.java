package dev.jchat.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jchat.model.Checkpoint;
import dev.jchat.model.GgufCheckpoint;
import dev.jchat.model.LlamaModel;
import dev.jchat.model.ModelConfig;
import dev.jchat.model.cpu.CpuBackend;
import dev.jchat.model.infer.Engine;
import dev.jchat.model.infer.QuantizedWeights;
import dev.jchat.model.train.AdamW;
import dev.jchat.tokenizer.BpeTrainer;
import dev.jchat.tokenizer.HfTokenizerJson;
import dev.jchat.tokenizer.SpecialTokens;
import dev.jchat.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * jchat's GGUF export against the real peer: llama.cpp's prebuilt binaries from the npm package node-llama-cpp
 * (installed by the build at generate-test-resources) load the exported file, tokenize a prompt, and continue it
 * greedily with raw logits at every step; {@code @huggingface/gguf}, an independent parser, reads the metadata.
 * The model is a small Llama (grouped-query attention, so both Q and K permutations are exercised) trained for a
 * few steps on GSM8K text with a BPE tokenizer trained on the same text, so that its greedy choices are clear.
 */
class LlamaCppParityTest {
    private static final Path NPM = Path.of(System.getProperty("jchat.llamacpp", "target/llamacpp"));
    private static final String PROMPT = "Natalia sold clips to 48 of her friends in April, and then";
    private static final int STEPS = 32;
    /** Texts that exercise the GPT-4 split: contractions, digit runs, whitespace runs, non-Latin scripts, emoji. */
    private static final List<String> TEXTS = List.of("Hello world!\n\n  indented  \tline\r\n",
            "I'm sure they'LL say we've 12345678 or 3.14159, DON'T", "naïve café 안녕하세요 🌍👍🏽 ÀÉÎ",
            "    leading spaces and trailing   ", "tab\tand\nnewline\n\n\n", "a <|user_start|> b",
            "x=\"$(echo 'hi')\"; // 1,000,000");

    @TempDir
    static Path dir;

    private static Tokenizer tokenizer;
    private static Path checkpoint;
    private static int[] javaPrompt;
    private static int[] javaGreedy;
    private static float[][] javaLogits;
    private static JsonNode result;

    @BeforeAll
    static void exportRunAndCompare() throws Exception {
        assumeTrue(onPath("node"), "node is not installed: the llama.cpp parity test needs Node.js");
        assumeTrue(Files.isDirectory(NPM.resolve("node_modules/node-llama-cpp")), "node-llama-cpp is missing in " + NPM
                + ": the Maven build installs it at generate-test-resources");
        var json = new ObjectMapper();
        var texts = new ArrayList<String>();
        for (String record : Files.readAllLines(Path.of(System.getProperty("jchat.shared", "../../shared"), "data",
                "gsm8k", "gsm8k_train.jsonl")).subList(0, 300)) {
            JsonNode node = json.readTree(record);
            texts.add(node.get("question").asText() + "\n" + node.get("answer").asText());
        }
        tokenizer = new BpeTrainer(512).withThreads(1).train(texts, BpeTrainer.Progress.NONE).tokenizer();
        int bos = tokenizer.specialId(SpecialTokens.BOS);
        var config = new ModelConfig(2, 4, 2, 64, 128, tokenizer.vocabSize(), 128, 10_000, 1e-5, false, bos,
                tokenizer.specialId(SpecialTokens.ASSISTANT_END));
        checkpoint = dir.resolve("checkpoint");
        try (var backend = new CpuBackend(2); var model = new LlamaModel(config, backend, 7)) {
            train(model, texts, bos);
            Checkpoint.save(checkpoint, model);
            HfTokenizerJson.write(tokenizer, checkpoint.resolve("tokenizer.json"));
            javaPrompt = tokenizer.encode(PROMPT);
            int[] sequence = new int[1 + javaPrompt.length + STEPS];
            sequence[0] = bos;
            System.arraycopy(javaPrompt, 0, sequence, 1, javaPrompt.length);
            javaGreedy = new int[STEPS];
            javaLogits = new float[STEPS][];
            for (int step = 0; step < STEPS; step++) {
                int t = 1 + javaPrompt.length + step;
                javaLogits[step] = model.lastLogits(sequence, t);
                javaGreedy[step] = Ids.argmax(javaLogits[step]);
                sequence[t] = javaGreedy[step];
            }
        }
        for (String dtype : List.of("f32", "q8_0", "f16", "bf16")) {
            CliTest.Run run = CliTest.run("", "export", "--checkpoint", checkpoint.toString(), "--format", "gguf",
                    "--out", dir.resolve(dtype + ".gguf").toString(), "--dtype", dtype, "--threads", "2");
            assertEquals(0, run.exitCode(), run.stderr());
        }
        Path script = NPM.resolve("parity.mjs");
        try (var in = LlamaCppParityTest.class.getResourceAsStream("/llamacpp/parity.mjs")) {
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        Path request = dir.resolve("request.json");
        Path response = dir.resolve("result.json");
        json.writeValue(request.toFile(), Map.of("prompt", PROMPT, "steps", STEPS, "texts", TEXTS,
                "models", List.of(dir.resolve("f32.gguf").toString(), dir.resolve("q8_0.gguf").toString(),
                        dir.resolve("f16.gguf").toString(), dir.resolve("bf16.gguf").toString()),
                "chat", List.of(Map.of("role", "system", "content", "Be brief."),
                        Map.of("role", "user", "content", "Hi!"),
                        Map.of("role", "assistant", "content", "Hello."),
                        Map.of("role", "user", "content", "What is 2+2?"))));
        Process node = new ProcessBuilder("node", script.toAbsolutePath().toString(), request.toString(),
                response.toString()).directory(NPM.toFile()).redirectErrorStream(true).start();
        String output = new String(node.getInputStream().readAllBytes());
        assertTrue(node.waitFor(120, TimeUnit.SECONDS), "node did not finish");
        assertEquals(0, node.exitValue(), output);
        result = json.readTree(response.toFile());
        System.out.printf(Locale.ROOT, "llama.cpp %s via node-llama-cpp %s, @huggingface/gguf %s%n",
                result.get("llamaCpp").asText(), result.get("nodeLlamaCpp").asText(),
                result.get("huggingfaceGguf").asText());
    }

    @Test
    void f32ExportTokenizesContinuesAndScoresAsJchatDoes() {
        JsonNode f32 = result.get("models").get(0);
        assertArrayEquals(javaPrompt, Ids.of(f32.get("promptIds")), "prompt ids");
        assertArrayEquals(javaGreedy, Ids.of(f32.get("greedy")), "greedy continuation: " + f32.get("text"));
        double diff = maxLogitDiff(f32);
        System.out.printf(Locale.ROOT, "f32: %d prompt ids, %d greedy tokens equal (\"%s\"), max |logit diff| %.2e, "
                + "closest top two %.2e apart%n", javaPrompt.length, STEPS, f32.get("text").asText(), diff,
                closestTopTwo());
        assertTrue(diff < 1e-3, "max logit difference " + diff);
        assertEquals(tokenizer.decode(javaGreedy), f32.get("text").asText());
    }

    @Test
    void llamaCppSplitsAndMergesTextAsJchatDoes() {
        for (int m = 0; m < 4; m++) {
            JsonNode ids = result.get("models").get(m).get("textIds");
            for (int i = 0; i < TEXTS.size(); i++) {
                assertArrayEquals(tokenizer.encode(TEXTS.get(i)), Ids.of(ids.get(i)), TEXTS.get(i));
            }
        }
    }

    @Test
    void reducedTypesStayCloseToTheF32Model() {
        // index in the request, type, and the largest logit difference allowed while both see the same text
        record Expectation(int index, String type, double maxDiff) {}
        for (var e : List.of(new Expectation(1, "q8_0", 0.25), new Expectation(2, "f16", 0.05),
                new Expectation(3, "bf16", 0.25))) {
            JsonNode run = result.get("models").get(e.index());
            assertArrayEquals(javaPrompt, Ids.of(run.get("promptIds")));
            int same = 0;
            while (same < STEPS && run.get("greedy").get(same).asInt() == javaGreedy[same]) {
                same++;
            }
            // past the first different choice the two continuations see different text: compare up to it
            double diff = maxLogitDiff(run.get("logits"), Math.min(same + 1, STEPS));
            System.out.printf(Locale.ROOT, "%s: greedy equal for the first %d of %d tokens, max |logit diff| %.3f "
                    + "(logits span %.1f)%n", e.type(), same, STEPS, diff, span(javaLogits[0]));
            assertTrue(diff < e.maxDiff(), e.type() + ": max logit difference " + diff);
            assertTrue(diff > 1e-5, e.type() + " cannot score exactly as F32: " + diff);
            if (same < STEPS) {
                // a different choice is only right where jchat's top two were closer than the rounding moves logits
                float[] logits = javaLogits[same];
                double gap = logits[javaGreedy[same]] - logits[run.get("greedy").get(same).asInt()];
                assertTrue(gap <= 2 * diff, e.type() + " chose another token at step " + same + " where jchat's "
                        + "choice led by " + gap + ", more than twice the logit difference " + diff);
            }
        }
    }

    /**
     * jchat's Q8_0 engine on the Q8_0 file's own blocks follows llama.cpp's Q8_0 run more closely than jchat's f32
     * does: both see the same weights, and what is left is llama.cpp quantising its activations to Q8_0 too (jchat
     * keeps them float). Compared along llama.cpp's own greedy path, so every step sees the same text.
     */
    @Test
    void q8EngineOnTheFilesBlocksFollowsLlamaCppsQ8() throws IOException {
        JsonNode run = result.get("models").get(1);
        Path file = dir.resolve("q8_0.gguf");
        try (var backend = new CpuBackend(2); var model = GgufCheckpoint.load(file, backend)) {
            var q8 = new Engine(model, QuantizedWeights.of(model, GgufCheckpoint.q8Blocks(file))).start(prompt());
            double q8Diff = 0;
            double f32Diff = 0;
            int sameGreedy = 0;
            try (var f32Model = Checkpoint.load(checkpoint, backend)) {
                var f32 = new Engine(f32Model).start(prompt());
                for (int step = 0; step < STEPS; step++) {
                    JsonNode row = run.get("logits").get(step);
                    float[] ours = q8.logits();
                    float[] plain = f32.logits();
                    for (int v = 0; v < row.size(); v++) {
                        q8Diff = Math.max(q8Diff, Math.abs(row.get(v).asDouble() - ours[v]));
                        f32Diff = Math.max(f32Diff, Math.abs(row.get(v).asDouble() - plain[v]));
                    }
                    int token = run.get("greedy").get(step).asInt();
                    sameGreedy += Ids.argmax(ours) == token ? 1 : 0;
                    q8.append(token);
                    f32.append(token);
                }
            }
            System.out.printf(Locale.ROOT, "jchat q8_0 vs llama.cpp q8_0: max |logit diff| %.4f (jchat f32: %.4f), "
                    + "same greedy token at %d of %d steps%n", q8Diff, f32Diff, sameGreedy, STEPS);
            assertTrue(q8Diff < f32Diff, "q8_0 " + q8Diff + " is not closer to llama.cpp's q8_0 than f32 " + f32Diff);
            assertTrue(q8Diff < 0.1, "max logit difference " + q8Diff);
        }
    }

    private static int[] prompt() {
        int[] tokens = new int[1 + javaPrompt.length];
        tokens[0] = tokenizer.specialId(SpecialTokens.BOS);
        System.arraycopy(javaPrompt, 0, tokens, 1, javaPrompt.length);
        return tokens;
    }

    @Test
    void independentParserReadsTheMetadata() {
        JsonNode parser = result.get("models").get(0).get("parser");
        assertEquals(3, parser.get("version").asInt());
        assertEquals("llama", parser.get("architecture").asText());
        assertEquals(2 + 9 * 2 + 1, parser.get("tensorCount").asInt());
        assertEquals(2, parser.get("blockCount").asInt());
        assertEquals(2, parser.get("headCountKv").asInt());
        assertEquals(10_000, parser.get("ropeFreqBase").asDouble());
        assertEquals("dbrx", parser.get("tokenizerPre").asText());
        assertEquals(tokenizer.vocabSize(), parser.get("tokenCount").asInt());
        assertEquals(tokenizer.merges().size(), parser.get("mergeCount").asInt());
        assertEquals(tokenizer.specialId(SpecialTokens.ASSISTANT_END), parser.get("eotTokenId").asInt());
        assertEquals(ChatTemplate.JINJA, parser.get("chatTemplate").asText());
        JsonNode embedding = parser.get("tensors").get(0);
        assertEquals("token_embd.weight", embedding.get("name").asText());
        assertEquals(List.of(64, tokenizer.vocabSize()), List.of(embedding.get("dims").get(0).asInt(),
                embedding.get("dims").get(1).asInt()));
    }

    @Test
    void llamaCppKnowsTheSpecialTokensAndRendersTheChatTemplate() {
        JsonNode f32 = result.get("models").get(0);
        assertEquals(tokenizer.specialId(SpecialTokens.BOS), f32.get("bos").asInt());
        assertEquals(tokenizer.specialId(SpecialTokens.ASSISTANT_END), f32.get("eos").asInt());
        assertEquals(tokenizer.specialId(SpecialTokens.ASSISTANT_END), f32.get("eot").asInt());
        String rendered = "<|bos|><|system_start|>Be brief.<|system_end|><|user_start|>Hi!<|user_end|>"
                + "<|assistant_start|>Hello.<|assistant_end|><|user_start|>What is 2+2?<|user_end|><|assistant_start|>";
        assertArrayEquals(tokenizer.encode(rendered, tokenizer.specialTokens().keySet()), Ids.of(f32.get("chat")),
                "the conversation as llama.cpp tokenizes node-llama-cpp's rendering of the template");
    }

    /** AdamW steps on the texts, enough for clear next-token choices; prints the first and last loss. */
    private static void train(LlamaModel model, List<String> texts, int bos) {
        var stream = new ArrayList<Integer>();
        for (String text : texts) {
            stream.add(bos);
            for (int id : tokenizer.encode(text)) {
                stream.add(id);
            }
        }
        int b = 4;
        int t = 64;
        var adamw = new AdamW(model, AdamW.Hyper.defaults(0f));
        int[] inputs = new int[b * t];
        int[] targets = new int[b * t];
        double first = 0;
        double loss = 0;
        for (int step = 0; step < 100; step++) {
            for (int row = 0; row < b; row++) {
                int start = ((step * b + row) * t) % (stream.size() - t - 1);
                for (int i = 0; i < t; i++) {
                    inputs[row * t + i] = stream.get(start + i);
                    targets[row * t + i] = stream.get(start + i + 1);
                }
            }
            model.zeroGradients();
            loss = model.forwardBackward(inputs, targets, b, t, 1f / (b * t)) / (b * t);
            first = step == 0 ? loss : first;
            adamw.step(1e-2f);
        }
        System.out.printf(Locale.ROOT, "trained %d steps: loss %.2f -> %.2f%n", adamw.steps(), first, loss);
    }

    private static double maxLogitDiff(JsonNode model) {
        return maxLogitDiff(model.get("logits"), STEPS);
    }

    /** The largest difference between llama.cpp's and jchat's logits over the first {@code steps} positions. */
    private static double maxLogitDiff(JsonNode logits, int steps) {
        double max = 0;
        for (int step = 0; step < steps; step++) {
            JsonNode row = logits.get(step);
            assertEquals(javaLogits[step].length, row.size());
            for (int v = 0; v < row.size(); v++) {
                max = Math.max(max, Math.abs(row.get(v).asDouble() - javaLogits[step][v]));
            }
        }
        return max;
    }

    /** The smallest lead of jchat's greedy choice over the runner-up in any step: how near a tie came. */
    private static double closestTopTwo() {
        double closest = Double.MAX_VALUE;
        for (int step = 0; step < STEPS; step++) {
            float[] logits = javaLogits[step];
            float best = logits[javaGreedy[step]];
            float second = -Float.MAX_VALUE;
            for (int v = 0; v < logits.length; v++) {
                if (v != javaGreedy[step]) {
                    second = Math.max(second, logits[v]);
                }
            }
            closest = Math.min(closest, best - second);
        }
        return closest;
    }

    private static double span(float[] logits) {
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (float v : logits) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        return max - min;
    }

    private static boolean onPath(String program) {
        try {
            return new ProcessBuilder(program, "--version").start().waitFor(30, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
