package dev.jchat.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jchat.model.Checkpoint;
import dev.jchat.model.GgufCheckpoint;
import dev.jchat.model.LlamaModel;
import dev.jchat.model.ModelConfig;
import dev.jchat.model.cpu.CpuBackend;
import dev.jchat.model.gguf.GgmlType;
import dev.jchat.model.infer.Engine;
import dev.jchat.model.infer.SamplingParams;
import dev.jchat.tokenizer.BpeTrainer;
import dev.jchat.tokenizer.HfTokenizerJson;
import dev.jchat.tokenizer.SpecialTokens;
import dev.jchat.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jchat generate} as a user runs it: streamed text, seeds, stop strings, GGUF, and the errors; and
 * {@code jchat bench decode} on the same checkpoint.
 */
class GenerateCommandTest {
    private static final String PROMPT = "Natalia sold clips to 48 of her friends";
    private static final int CONTEXT = 48;

    @TempDir
    static Path dir;
    static Path checkpoint;
    static Tokenizer tokenizer;
    static ModelConfig config;

    /** A 400-id tokenizer trained on GSM8K word problems and a small random model saved with it. */
    @BeforeAll
    static void checkpoint() throws IOException {
        var json = new ObjectMapper();
        var texts = new ArrayList<String>();
        List<String> records = Files.readAllLines(Path.of(System.getProperty("jchat.shared", "../../shared"), "data",
                "gsm8k", "gsm8k_train.jsonl"));
        for (String record : records.subList(0, 300)) {
            var node = json.readTree(record);
            texts.add(node.get("question").asText() + "\n" + node.get("answer").asText());
        }
        tokenizer = new BpeTrainer(400).withThreads(1).train(texts, BpeTrainer.Progress.NONE).tokenizer();
        config = new ModelConfig(2, 4, 2, 32, 64, tokenizer.vocabSize(), CONTEXT, 10_000, 1e-5, false,
                tokenizer.specialId(SpecialTokens.BOS), tokenizer.specialId(SpecialTokens.ASSISTANT_END));
        checkpoint = dir.resolve("run").resolve("step_000001");
        try (var backend = new CpuBackend(1); var model = new LlamaModel(config, backend, 5)) {
            // larger weights than the initialisation's, so that greedy text varies rather than repeating one token
            backend.scale(model.parameters(), 20f);
            Checkpoint.save(checkpoint, model);
            GgufCheckpoint.save(dir.resolve("model.gguf"), model, GgmlType.F32,
                    GgufTokenizer.metadata(tokenizer, config));
        }
        HfTokenizerJson.write(tokenizer, checkpoint.resolve("tokenizer.json"));
    }

    private static CliTest.Run generate(String... extra) {
        var args = new ArrayList<>(List.of("generate", "--checkpoint", checkpoint.toString(), "--threads", "1"));
        args.addAll(List.of(extra));
        return CliTest.run("", args.toArray(String[]::new));
    }

    /** The engine's greedy tokens for the prompt, BOS first, ending at EOS or BOS. */
    private static int[] engineGreedy(int maxTokens) throws IOException {
        try (var backend = new CpuBackend(1); var model = Checkpoint.load(checkpoint, backend)) {
            int[] encoded = tokenizer.encode(PROMPT);
            int[] prompt = new int[encoded.length + 1];
            prompt[0] = config.bosTokenId();
            System.arraycopy(encoded, 0, prompt, 1, encoded.length);
            return new Engine(model).generate(prompt, new Engine.Options(1, maxTokens, SamplingParams.greedy(), 0,
                    config.eosTokenId(), config.bosTokenId()), (s, t) -> true).completions().getFirst().tokens();
        }
    }

    @Test
    void greedyOutputIsTheEnginesTokensDecodedAndTheSameEveryTime() throws IOException {
        int[] tokens = engineGreedy(20);
        assertTrue(tokens.length > 5, "the greedy continuation is too short to test with: " + tokens.length);
        CliTest.Run run = generate("--prompt", PROMPT, "--temperature", "0", "--max-tokens", "20");
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals(tokenizer.decode(tokens) + "\n", run.out());
        assertTrue(run.stderr().matches(
                "(?s).*prefill \\d+ tokens, [\\d.]+ tok/s; decode \\d+ tokens, [\\d.]+ tok/s.*"), run.stderr());
        assertEquals(run.out(), generate("--prompt", PROMPT, "--temperature", "0", "--max-tokens", "20").out());

        // the GGUF export of the same model, with the tokenizer it carries, says the same
        CliTest.Run gguf = CliTest.run("", "generate", "--checkpoint", dir.resolve("model.gguf").toString(),
                "--prompt", PROMPT, "--temperature", "0", "--max-tokens", "20", "--threads", "1");
        assertEquals(0, gguf.exitCode(), gguf.stderr());
        assertEquals(run.out(), gguf.out());

        // a run directory means its latest checkpoint
        Files.createSymbolicLink(dir.resolve("run").resolve("latest"), Path.of("step_000001"));
        CliTest.Run latest = CliTest.run("", "generate", "--checkpoint", dir.resolve("run").toString(), "--prompt",
                PROMPT, "--temperature", "0", "--max-tokens", "20", "--threads", "1");
        assertEquals(run.out(), latest.out());
    }

    @Test
    void samplesAreReproducibleBySeedAndSampleKIsSeedPlusKMinusOne() {
        String[] sampling = {"--prompt", PROMPT, "--temperature", "1.0", "--top-k", "0", "--top-p", "1", "--min-p",
                "0", "--max-tokens", "12"};
        CliTest.Run two = generate(concat(sampling, "--n", "2", "--seed", "7"));
        assertEquals(0, two.exitCode(), two.stderr());
        assertEquals(two.out(), generate(concat(sampling, "--n", "2", "--seed", "7")).out());
        assertTrue(two.stderr().contains("seed 7"), two.stderr());
        String[] parts = two.out().split("=== sample [12] of 2 ===\n", -1);
        assertEquals(3, parts.length, two.out());
        assertEquals("", parts[0]);
        assertEquals(parts[2], generate(concat(sampling, "--seed", "8")).out());
        assertEquals(parts[1], generate(concat(sampling, "--seed", "7")).out());
        assertNotEquals(parts[1], parts[2]);
    }

    @Test
    void aStopStringEndsTheSampleAndIsNotPrinted() throws IOException {
        String full = tokenizer.decode(engineGreedy(20));
        // a stop string from the middle of the text, which the tokens need not align with
        String stop = full.substring(full.length() / 2, full.length() / 2 + 3);
        CliTest.Run run = generate("--prompt", PROMPT, "--temperature", "0", "--max-tokens", "20", "--stop", "@@@",
                stop);
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals(full.substring(0, full.indexOf(stop)) + "\n", run.out());
        assertTrue(run.stderr().contains("stopped"), run.stderr());
    }

    @Test
    void stopStringsHoldBackOnlyWhatCouldStillBecomeOne() {
        var stops = new GenerateCommand.StopStrings(List.of("END", "xyz"));
        assertEquals("ab", stops.push("abE"));
        assertEquals("E", stops.push("x"));
        assertEquals("x", stops.push("EN"));
        assertEquals("EN", stops.push("E"));
        assertEquals("", stops.push("NDq"));
        assertTrue(stops.stopped());
        assertEquals("", stops.push("more"));
        stops.reset();
        assertEquals("", stops.push("xy"));
        assertEquals("xy", stops.flush());
    }

    @Test
    void aPromptLongerThanTheContextAndAMissingCheckpointAreClearErrors() {
        CliTest.Run tooLong = generate("--prompt", (PROMPT + " ").repeat(10), "--max-tokens", "5");
        assertEquals(1, tooLong.exitCode());
        assertTrue(tooLong.stderr().contains("leaves no room to generate: the model's context is " + CONTEXT
                + " tokens"), tooLong.stderr());
        CliTest.Run missing = CliTest.run("", "generate", "--checkpoint", dir.resolve("nowhere").toString(),
                "--prompt", "x");
        assertEquals(1, missing.exitCode());
        assertTrue(missing.stderr().contains("no checkpoint at " + dir.resolve("nowhere")), missing.stderr());
        CliTest.Run notOne = CliTest.run("", "generate", "--checkpoint", dir.toString(), "--prompt", "x");
        assertEquals(1, notOne.exitCode());
        assertTrue(notOne.stderr().contains("is not a model checkpoint"), notOne.stderr());
    }

    @Test
    void benchDecodeMeasuresTheCheckpointsPrefillAndDecode() {
        CliTest.Run run = CliTest.run("", "bench", "decode", "--checkpoint", checkpoint.toString(), "--prompt-tokens",
                "8", "--tokens", "6", "--runs", "1", "--threads", "1", "--warmup-seconds", "0");
        assertEquals(0, run.exitCode(), run.stderr());
        assertTrue(run.out().matches("(?s).*prefill 8 tokens [\\d.]+ tok/s, decode 6 tokens [\\d.]+ tok/s.*"
                + "after \\d+ warm-up iterations.*"), run.out());
        CliTest.Run tooLong = CliTest.run("", "bench", "decode", "--checkpoint", checkpoint.toString(),
                "--prompt-tokens", "40", "--tokens", "9", "--threads", "1");
        assertEquals(1, tooLong.exitCode());
        assertTrue(tooLong.stderr().contains("must fit the context of " + CONTEXT), tooLong.stderr());
    }

    private static String[] concat(String[] a, String... b) {
        var all = new ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(String[]::new);
    }
}
