package dev.jchat.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jchat.tokenizer.BpeTrainer;
import dev.jchat.tokenizer.HfTokenizerJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jchat pretrain} and {@code jchat eval loss} as a user runs them, kill -9 and resume included. */
class PretrainCommandTest {

    @TempDir
    static Path shared;
    static Path tokens;

    /** Real English text (GSM8K word problems), a 400-id tokenizer trained on it, and its token shards. */
    @BeforeAll
    static void shards() throws IOException {
        var json = new ObjectMapper();
        var texts = new ArrayList<String>();
        var lines = new ArrayList<String>();
        List<String> records = Files.readAllLines(Path.of(System.getProperty("jchat.shared", "../../shared"), "data",
                "gsm8k", "gsm8k_train.jsonl"));
        for (String record : records.subList(0, 400)) {
            JsonNode node = json.readTree(record);
            String text = node.get("question").asText() + "\n" + node.get("answer").asText();
            texts.add(text);
            lines.add(json.createObjectNode().put("text", text).toString());
        }
        Path tokenizer = Files.createDirectories(shared.resolve("tokenizer"));
        HfTokenizerJson.write(new BpeTrainer(400).withThreads(1).train(texts, BpeTrainer.Progress.NONE).tokenizer(),
                tokenizer.resolve("tokenizer.json"));
        Path docs = shared.resolve("docs.jsonl");
        Files.write(docs, lines);
        tokens = shared.resolve("tokens");
        CliTest.Run run = CliTest.run("", "tokenize", "--tokenizer", tokenizer.toString(), "--input", docs.toString(),
                "--out", tokens.toString(), "--val-fraction", "0.05");
        assertEquals(0, run.exitCode(), run.stderr());
    }

    static String[] pretrain(Path out, int steps, String... extra) {
        var args = new ArrayList<>(List.of("pretrain", "--data", tokens.toString(), "--out", out.toString(), "--layers",
                "1", "--dim", "32", "--heads", "2", "--ffn", "64", "--seq-len", "32", "--batch", "2", "--steps", "" + steps,
                "--save-every", "3", "--eval-every", "5", "--eval-batches", "2", "--sample-every", "0", "--threads", "2"));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    /** The loss of every step and evaluation in a run's metrics log, in order (timings left out). */
    static List<String> lossTrace(Path out) throws IOException {
        var json = new ObjectMapper();
        var trace = new ArrayList<String>();
        for (String line : Files.readAllLines(out.resolve("logs").resolve("metrics.jsonl"))) {
            JsonNode node = json.readTree(line);
            trace.add(node.get("step") + " " + node.path("loss").asText() + " " + node.path("val_loss").asText()
                    + " " + node.path("grad_norm").asText());
        }
        return trace;
    }

    @Test
    void killedByTheOsAndResumedItReproducesTheUninterruptedLosses(@TempDir Path dir) throws Exception {
        int steps = 60;
        Path whole = dir.resolve("whole");
        CliTest.Run uninterrupted = CliTest.run("", pretrain(whole, steps));
        assertEquals(0, uninterrupted.exitCode(), uninterrupted.stderr());

        Path crashed = dir.resolve("crashed");
        var command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(pretrain(crashed, steps)));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("crashed.log").toFile()).start();
        Path metrics = crashed.resolve("logs").resolve("metrics.jsonl");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (process.isAlive() && System.nanoTime() < deadline
                && (!Files.exists(metrics) || Files.readAllLines(metrics).size() < 12)) {
            Thread.sleep(5);
        }
        assertTrue(process.isAlive(), "the run finished before it could be killed: " + Files.readString(dir.resolve("crashed.log")));
        process.destroyForcibly().waitFor();
        int logged = Files.readAllLines(metrics).size();
        assertTrue(logged < steps, "killed after " + logged + " lines");

        CliTest.Run resumed = CliTest.run("", pretrain(crashed, steps, "--resume"));
        assertEquals(0, resumed.exitCode(), resumed.stderr());
        assertTrue(resumed.stderr().contains("resumed from"), resumed.stderr());
        assertEquals(lossTrace(whole), lossTrace(crashed));
        assertTrue(Files.readString(whole.resolve("logs").resolve("loss.svg")).contains("<polyline"));

        CliTest.Run again = CliTest.run("", pretrain(whole, steps));
        assertEquals(1, again.exitCode());
        assertTrue(again.stderr().contains("already holds a run"), again.stderr());

        CliTest.Run eval = CliTest.run("", "eval", "loss", "--checkpoint", whole.toString(), "--data", tokens.toString(),
                "--batch", "2");
        assertEquals(0, eval.exitCode(), eval.stderr());
        JsonNode last = new ObjectMapper().readTree(Files.readAllLines(whole.resolve("logs").resolve("metrics.jsonl")).getLast());
        assertTrue(eval.out().contains("val loss"), eval.out());
        assertTrue(last.has("val_loss"), last.toString());
    }

    @Test
    void checksBeforeTrainingThatShardsTokenizerAndMemoryFit(@TempDir Path dir) throws IOException {
        CliTest.Run otherTokenizer = CliTest.run("", pretrain(dir.resolve("a"), 2, "--tokenizer", "r50k_base"));
        assertEquals(1, otherTokenizer.exitCode());
        assertTrue(otherTokenizer.stderr().contains("were written with tokenizer"), otherTokenizer.stderr());

        CliTest.Run huge = CliTest.run("", "pretrain", "--data", tokens.toString(), "--out", dir.resolve("b").toString(),
                "--depth", "48", "--batch", "64", "--seq-len", "2048");
        assertEquals(1, huge.exitCode());
        assertTrue(huge.stderr().contains("GB") && huge.stderr().contains("lower --batch"), huge.stderr());

        Path broken = dir.resolve("broken");
        Files.createDirectories(broken);
        try (var files = Files.list(tokens)) {
            for (Path file : files.toList()) {
                Files.copy(file, broken.resolve(file.getFileName()));
            }
        }
        Path train = broken.resolve("train_000000.bin");
        byte[] bytes = Files.readAllBytes(train);
        Files.write(train, java.util.Arrays.copyOf(bytes, bytes.length - 7));
        CliTest.Run corrupt = CliTest.run("", "pretrain", "--data", broken.toString(), "--out", dir.resolve("c").toString());
        assertEquals(1, corrupt.exitCode());
        assertTrue(corrupt.stderr().contains("train_000000.bin"), corrupt.stderr());
    }
}
