package dev.jchat.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jchat.model.Checkpoint;
import dev.jchat.model.GgufCheckpoint;
import dev.jchat.model.LlamaModel;
import dev.jchat.model.ModelConfig;
import dev.jchat.model.cpu.CpuBackend;
import dev.jchat.model.gguf.GgufFile;
import dev.jchat.model.gguf.GgufValue;
import dev.jchat.model.gguf.GgufWriter;
import dev.jchat.model.io.Safetensors;
import dev.jchat.tokenizer.BpeTrainer;
import dev.jchat.tokenizer.HfTokenizerJson;
import dev.jchat.tokenizer.PreTokenizer;
import dev.jchat.tokenizer.SpecialTokens;
import dev.jchat.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jchat export} as a user runs it: the files each format needs, what they hold, and the errors. */
class ExportCommandTest {
    private static final List<String> TEXTS = List.of("The cat sat on the mat.\nThe dog sat on the log.",
            "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May.",
            "How many clips did Natalia sell altogether in April and May? 48 + 24 = 72");
    private static final int[] PROMPT = {0, 5, 77, 120, 9, 260};

    @TempDir
    static Path dir;

    private static Tokenizer tokenizer;
    private static Path checkpoint;
    private static float[] logits;
    private static float[] parameters;

    @BeforeAll
    static void checkpoint() throws IOException {
        tokenizer = new BpeTrainer(300).withThreads(1).train(TEXTS, BpeTrainer.Progress.NONE).tokenizer();
        var config = new ModelConfig(1, 2, 1, 32, 64, tokenizer.vocabSize(), 64, 10_000, 1e-5, false,
                tokenizer.specialId(SpecialTokens.BOS), tokenizer.specialId(SpecialTokens.ASSISTANT_END));
        checkpoint = dir.resolve("run").resolve("base").resolve("step_000010");
        try (var backend = new CpuBackend(1); var model = new LlamaModel(config, backend, 11)) {
            Checkpoint.save(checkpoint, model);
            logits = model.lastLogits(PROMPT, PROMPT.length);
            parameters = new float[Math.toIntExact(model.layout().size())];
            backend.download(model.parameters(), parameters, 0);
        }
        HfTokenizerJson.write(tokenizer, checkpoint.resolve("tokenizer.json"));
    }

    @Test
    void ggufExportHoldsTheModelTheTokenizerAndTheChatTemplate() throws IOException {
        Path out = dir.resolve("gguf").resolve("model.gguf");
        CliTest.Run run = CliTest.run("", "export", "--checkpoint", checkpoint.toString(), "--format", "gguf", "--out",
                out.toString(), "--threads", "1");
        assertEquals(0, run.exitCode(), run.stderr());
        assertTrue(run.out().startsWith("wrote " + out + " (GGUF, F32, "), run.out());
        try (var backend = new CpuBackend(1); var model = GgufCheckpoint.load(out, backend)) {
            float[] loaded = new float[parameters.length];
            backend.download(model.parameters(), loaded, 0);
            assertArrayEquals(parameters, loaded);
        }
        try (GgufFile gguf = GgufFile.open(out)) {
            assertEquals("run-base", gguf.string("general.name"));
            assertEquals("gpt2", gguf.string("tokenizer.ggml.model"));
            assertEquals("dbrx", gguf.string("tokenizer.ggml.pre"));
            assertEquals(tokenizer.specialId(SpecialTokens.BOS), gguf.integer("tokenizer.ggml.bos_token_id"));
            assertEquals(tokenizer.specialId(SpecialTokens.ASSISTANT_END), gguf.integer("tokenizer.ggml.eos_token_id"));
            assertEquals(tokenizer.specialId(SpecialTokens.ASSISTANT_END), gguf.integer("tokenizer.ggml.eot_token_id"));
            assertEquals(ChatTemplate.JINJA, gguf.string("tokenizer.chat_template"));
            assertEquals(new GgufValue.Bool(true), gguf.metadata().get("tokenizer.ggml.add_bos_token"));
            var tokens = ((GgufValue.Texts) gguf.metadata().get("tokenizer.ggml.tokens")).values();
            long[] types = ((GgufValue.Ints) gguf.metadata().get("tokenizer.ggml.token_type")).values();
            assertEquals(tokenizer.vocabSize(), tokens.size());
            int space = tokenizer.tokenId(" ".getBytes(StandardCharsets.UTF_8));
            assertEquals("Ġ", tokens.get(space));
            assertEquals(1, types[space], "normal");
            int bos = tokenizer.specialId(SpecialTokens.BOS);
            assertEquals("<|bos|>", tokens.get(bos));
            assertEquals(3, types[bos], "control");
            var merges = ((GgufValue.Texts) gguf.metadata().get("tokenizer.ggml.merges")).values();
            assertEquals(tokenizer.merges().size(), merges.size());
            var first = tokenizer.merges().getFirst();
            assertEquals(tokens.get(first.left()) + " " + tokens.get(first.right()), merges.getFirst());
        }
    }

    @Test
    void hfExportLoadsInTheChosenTypeWithTokenizerAndGenerationConfig() throws IOException {
        Path out = dir.resolve("hf-bf16");
        CliTest.Run run = CliTest.run("", "export", "--checkpoint", dir.resolve("run").toString(), "--format", "hf",
                "--out", out.toString(), "--dtype", "bf16", "--threads", "1");
        // a run directory without a latest link is not a checkpoint
        assertEquals(1, run.exitCode());
        assertTrue(run.stderr().contains("is not a model checkpoint"), run.stderr());

        run = CliTest.run("", "export", "--checkpoint", checkpoint.toString(), "--format", "hf", "--out",
                out.toString(), "--dtype", "bf16", "--threads", "1");
        assertEquals(0, run.exitCode(), run.stderr());
        try (var st = Safetensors.open(out.resolve("model.safetensors"))) {
            assertEquals("BF16", st.tensor("model.embed_tokens.weight").dtype().name());
            assertEquals("pt", st.metadata().get("format"));
        }
        try (var backend = new CpuBackend(1); var model = Checkpoint.load(out, backend)) {
            float[] bf16 = model.lastLogits(PROMPT, PROMPT.length);
            for (int i = 0; i < logits.length; i++) {
                assertEquals(logits[i], bf16[i], 2e-2, "logit " + i);
            }
        }
        var json = new ObjectMapper();
        assertEquals("bfloat16", json.readTree(out.resolve("config.json").toFile()).get("torch_dtype").asText());
        assertArrayEquals(Files.readAllBytes(checkpoint.resolve("tokenizer.json")),
                Files.readAllBytes(out.resolve("tokenizer.json")));
        JsonNode tokenizerConfig = json.readTree(out.resolve("tokenizer_config.json").toFile());
        assertEquals("<|bos|>", tokenizerConfig.get("bos_token").asText());
        assertEquals("<|assistant_end|>", tokenizerConfig.get("eos_token").asText());
        assertEquals(64, tokenizerConfig.get("model_max_length").asInt());
        assertEquals(ChatTemplate.JINJA, tokenizerConfig.get("chat_template").asText());
        JsonNode generation = json.readTree(out.resolve("generation_config.json").toFile());
        assertEquals(tokenizer.specialId(SpecialTokens.ASSISTANT_END), generation.get("eos_token_id").asInt());
    }

    @Test
    void aGgufModelConvertsBackToAnHfFolderWithTheSameTokenizer() throws IOException {
        Path gguf = dir.resolve("back").resolve("model.gguf");
        CliTest.Run run = CliTest.run("", "export", "--checkpoint", checkpoint.toString(), "--format", "gguf", "--out",
                gguf.toString(), "--threads", "1");
        assertEquals(0, run.exitCode(), run.stderr());
        String chat = "<|bos|><|user_start|>How many clips?<|user_end|><|assistant_start|>72<|assistant_end|>";
        try (GgufFile file = GgufFile.open(gguf)) {
            Tokenizer read = GgufTokenizer.read(file);
            assertEquals(tokenizer.specialTokens(), read.specialTokens());
            assertEquals(tokenizer.merges(), read.merges());
            for (String text : List.of(TEXTS.get(0), TEXTS.get(2), "naïve ünïcode 🌍\r\n  x", chat)) {
                assertArrayEquals(tokenizer.encode(text, tokenizer.specialTokens().keySet()),
                        read.encode(text, read.specialTokens().keySet()), text);
            }
        }
        Path hf = dir.resolve("back").resolve("hf");
        run = CliTest.run("", "export", "--checkpoint", gguf.toString(), "--format", "hf", "--out", hf.toString(),
                "--threads", "1");
        assertEquals(0, run.exitCode(), run.stderr());
        try (var backend = new CpuBackend(1); var model = Checkpoint.load(hf, backend)) {
            float[] loaded = new float[parameters.length];
            backend.download(model.parameters(), loaded, 0);
            assertArrayEquals(parameters, loaded);
        }
        assertArrayEquals(tokenizer.encode(chat, tokenizer.specialTokens().keySet()),
                Tokenizer.load(hf.toString()).encode(chat, tokenizer.specialTokens().keySet()));
    }

    @Test
    void aGgufTokenizerJchatCannotSplitExactlyIsRefused() throws IOException {
        Path file = dir.resolve("qwen.gguf");
        GgufWriter.write(file, Map.of("tokenizer.ggml.model", GgufValue.string("gpt2"),
                "tokenizer.ggml.pre", GgufValue.string("qwen2")), List.of());
        try (GgufFile gguf = GgufFile.open(file)) {
            var e = assertThrows(IOException.class, () -> GgufTokenizer.read(gguf));
            assertEquals(file + ": tokenizer.ggml.pre qwen2 is not one of [dbrx, gpt-2, gpt-4o, llama-bpe, llama-v3, "
                    + "llama3]", e.getMessage());
        }
        GgufWriter.write(file, Map.of("tokenizer.ggml.model", GgufValue.string("llama")), List.of());
        try (GgufFile gguf = GgufFile.open(file)) {
            var e = assertThrows(IOException.class, () -> GgufTokenizer.read(gguf));
            assertEquals(file + ": tokenizer.ggml.model is llama; only byte-level BPE (gpt2) is read", e.getMessage());
        }
    }

    @Test
    void mistakesAreReportedNamingTheCause() throws IOException {
        String ckpt = checkpoint.toString();
        CliTest.Run run = CliTest.run("", "export", "--checkpoint", ckpt, "--format", "hf", "--out",
                dir.resolve("x").toString(), "--dtype", "q8_0");
        assertEquals(1, run.exitCode());
        assertTrue(run.stderr().contains("--dtype q8_0 is GGUF only"), run.stderr());
        run = CliTest.run("", "export", "--checkpoint", ckpt, "--format", "gguf", "--out",
                dir.resolve("x.gguf").toString(), "--dtype", "q4");
        assertTrue(run.stderr().contains("--dtype q4 is not one of f32, f16, bf16, q8_0"), run.stderr());
        run = CliTest.run("", "export", "--checkpoint", ckpt, "--format", "onnx", "--out", "x");
        assertEquals(2, run.exitCode(), "a usage error");
        Path bare = dir.resolve("bare");
        Files.createDirectories(bare);
        Files.copy(checkpoint.resolve("config.json"), bare.resolve("config.json"));
        Files.copy(checkpoint.resolve("model.safetensors"), bare.resolve("model.safetensors"));
        run = CliTest.run("", "export", "--checkpoint", bare.toString(), "--format", "gguf", "--out",
                dir.resolve("bare.gguf").toString());
        assertEquals(1, run.exitCode());
        assertTrue(run.stderr().contains(bare + " has no tokenizer.json"), run.stderr());
    }

    @Test
    void theSplitRegexNamesLlamaCppsPreTokenizer() {
        assertEquals("dbrx", GgufTokenizer.preType(tokenizer));
        assertEquals("llama-bpe", GgufTokenizer.preType(Tokenizer.load("cl100k_base")));
        var gpt2Plain = new BpeTrainer(300).withThreads(1).withPreTokenizer(PreTokenizer.named("gpt2"))
                .train(TEXTS, BpeTrainer.Progress.NONE).tokenizer();
        assertEquals("gpt-2", GgufTokenizer.preType(gpt2Plain));
        var e = assertThrows(IllegalArgumentException.class, () -> GgufTokenizer.preType(Tokenizer.load("o200k_base")));
        assertTrue(e.getMessage().contains("keeps pieces that are tokens whole"), e.getMessage());
        var custom = new BpeTrainer(300).withThreads(1).withPreTokenizer(PreTokenizer.named("\\S+|\\s+"))
                .train(TEXTS, BpeTrainer.Progress.NONE).tokenizer();
        e = assertThrows(IllegalArgumentException.class, () -> GgufTokenizer.preType(custom));
        assertTrue(e.getMessage().contains("no pre-tokenizer for the split regex \\S+|\\s+"), e.getMessage());
    }

    @Test
    void bytesAreSpelledInGpt2sAlphabet() {
        assertEquals("ĠtheĊ", GgufTokenizer.byteLevel(" the\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals("Ã©", GgufTokenizer.byteLevel("é".getBytes(StandardCharsets.UTF_8)));
        assertEquals("ĀÿŃ", GgufTokenizer.byteLevel(new byte[] {0, (byte) 0xFF, (byte) 0xAD}));
    }
}
