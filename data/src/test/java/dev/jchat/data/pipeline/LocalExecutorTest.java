package dev.jchat.data.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.data.Document;
import dev.jchat.data.DocumentStep;
import dev.jchat.data.Outcome;
import dev.jchat.data.StepStats;
import dev.jchat.data.io.Compression;
import dev.jchat.data.io.DocumentReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalExecutorTest {

    /** Drops documents whose number is a multiple of 7, upper-cases the rest. */
    record TestFilter(int crashAtNumber, boolean crashHard) implements DocumentStep {
        @Override
        public String name() {
            return "test_filter";
        }

        @Override
        public Outcome apply(Document document, StepStats stats) {
            int number = Integer.parseInt(document.get("n"));
            if (number == crashAtNumber) {
                if (crashHard) {
                    throw new AssertionError("injected crash at document " + number);
                }
                throw new IllegalStateException("injected failure at document " + number);
            }
            if (number % 7 == 0) {
                return Outcome.drop(document, "multiple_of_seven");
            }
            return Outcome.keep(document.withText(document.text().toUpperCase()));
        }
    }

    static List<Path> inputs(Path dir) throws IOException {
        var files = new ArrayList<Path>();
        int n = 0;
        for (int file = 0; file < 4; file++) {
            var lines = new StringBuilder();
            for (int i = 0; i < 50; i++, n++) {
                lines.append("{\"text\":\"document number ").append(n).append("\",\"id\":\"d").append(n)
                        .append("\",\"n\":\"").append(n).append("\"}\n");
            }
            Path path = dir.resolve("in" + file + ".jsonl");
            Files.writeString(path, lines);
            files.add(path);
        }
        return files;
    }

    static Stage stage(List<Path> inputs, DocumentStep step) {
        return new Stage("filtered", inputs, DocumentReader::forFile,
                new Stage.StepChain(List.of(step), List.of(step)), null);
    }

    static Map<String, String> outputs(Path root) throws IOException {
        var contents = new TreeMap<String, String>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".jsonl.zst")).toList()) {
                try (InputStream in = Compression.open(file)) {
                    contents.put(root.relativize(file).toString(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        }
        return contents;
    }

    @Test
    void outputDoesNotDependOnWorkerCount(@TempDir Path dir) throws Exception {
        List<Path> in = inputs(dir);
        var one = new LocalExecutor(new RunLayout(dir.resolve("one")), 1, true, LocalExecutor.Progress.NONE)
                .run(stage(in, new TestFilter(-1, false)));
        new LocalExecutor(new RunLayout(dir.resolve("two")), 2, true, LocalExecutor.Progress.NONE)
                .run(stage(in, new TestFilter(-1, false)));
        assertEquals(outputs(dir.resolve("one")), outputs(dir.resolve("two")));
        StepStats filter = one.stats().stream().filter(s -> s.name().equals("test_filter")).findFirst().orElseThrow();
        assertEquals(200, filter.count("total"));
        assertEquals(29, filter.count("dropped_multiple_of_seven"));
        assertEquals(171, filter.count("forwarded"));
        assertEquals(171, filter.values().get("doc_len").n());
        assertTrue(outputs(dir.resolve("one")).get("filtered/00000.jsonl.zst").contains("DOCUMENT NUMBER 1\""));
        assertTrue(outputs(dir.resolve("one")).get("removed/test_filter/00000.jsonl.zst")
                .contains("\"filter_reason\":\"multiple_of_seven\""));
    }

    @Test
    void interruptedRunResumedEqualsUninterruptedRun(@TempDir Path dir) throws Exception {
        List<Path> in = inputs(dir);
        new LocalExecutor(new RunLayout(dir.resolve("clean")), 2, true, LocalExecutor.Progress.NONE)
                .run(stage(in, new TestFilter(-1, false)));

        var layout = new RunLayout(dir.resolve("resumed"));
        var crashing = new LocalExecutor(layout, 2, true, LocalExecutor.Progress.NONE);
        var failure = assertThrows(IOException.class, () -> crashing.run(stage(in, new TestFilter(125, true))));
        assertTrue(failure.getMessage().contains("1 of 4 tasks"), failure.getMessage());
        assertTrue(Files.notExists(layout.completion("filtered", 2)));

        var resumed = new LocalExecutor(layout, 2, true, LocalExecutor.Progress.NONE).run(stage(in, new TestFilter(-1, false)));
        assertEquals(1, resumed.tasksRun());
        assertEquals(3, resumed.tasksSkipped());
        assertEquals(outputs(dir.resolve("clean")), outputs(dir.resolve("resumed")));
        assertEquals(200, resumed.stats().stream().filter(s -> s.name().equals("test_filter")).findFirst().orElseThrow()
                .count("total"));
    }

    @Test
    void aStepFailingOnOneDocumentDropsOnlyThatDocument(@TempDir Path dir) throws Exception {
        var result = new LocalExecutor(new RunLayout(dir.resolve("run")), 1, false, LocalExecutor.Progress.NONE)
                .run(stage(inputs(dir), new TestFilter(60, false)));
        StepStats filter = result.stats().stream().filter(s -> s.name().equals("test_filter")).findFirst().orElseThrow();
        assertEquals(1, filter.count("dropped_error"));
        assertEquals(170, filter.count("forwarded"));
    }

    @Test
    void removalsDropTheListedIndicesBeforeTheSteps(@TempDir Path dir) throws Exception {
        var removals = new Stage.Removals() {
            @Override
            public String name() {
                return "minhash";
            }

            @Override
            public long[] forTask(int task) {
                return task == 1 ? new long[] {0, 3, 49} : new long[0];
            }
        };
        DocumentStep keep = new TestFilter(-1, false);
        var stage = new Stage("documents", inputs(dir), DocumentReader::forFile, new Stage.StepChain(List.of(keep), List.of(keep)),
                removals);
        var result = new LocalExecutor(new RunLayout(dir.resolve("run")), 2, false, LocalExecutor.Progress.NONE).run(stage);
        StepStats minhash = result.stats().stream().filter(s -> s.name().equals("minhash")).findFirst().orElseThrow();
        assertEquals(3, minhash.count("dropped"));
        String second = outputs(dir.resolve("run")).get("documents/00001.jsonl.zst");
        assertTrue(!second.contains("NUMBER 50\"") && !second.contains("NUMBER 53\"") && second.contains("NUMBER 51\""));
    }
}
