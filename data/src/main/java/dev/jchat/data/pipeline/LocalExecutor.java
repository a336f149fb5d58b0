package dev.jchat.data.pipeline;

import dev.jchat.data.Document;
import dev.jchat.data.DocumentStep;
import dev.jchat.data.Outcome;
import dev.jchat.data.StepStats;
import dev.jchat.data.io.DocumentReader;
import dev.jchat.data.io.DocumentWriter;
import dev.jchat.data.io.Warnings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs a {@link Stage} on this machine: one task per input file, {@code workers} tasks at a time.
 *
 * <p>Resumable: a task writes its outputs under temporary names and renames them, then its stats, then
 * its completion marker; a rerun skips tasks with a marker and redoes the others from scratch, so an
 * interrupted run resumed gives exactly the files of an uninterrupted one. Output depends only on the
 * inputs, never on the number of workers.
 *
 * <p>A step that throws on a document drops that document ({@code dropped_error}, with a warning) and
 * the task goes on; a task that fails as a whole (its input unreadable, the disk full) is reported at
 * the end and left for the rerun, while the other tasks finish.
 *
 * <p>Survivors are written in the executor's {@link DocumentWriter.Format} ({@code <task:05d>.jsonl.zst} or
 * {@code .parquet}); dropped documents ({@code keepRemoved}) always as {@code .jsonl.zst}.
 */
public final class LocalExecutor {

    /** Progress of a stage: tasks finished, documents read so far, input bytes of finished tasks. */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (stage, tasksDone, tasks, documents, bytesDone, bytesTotal) -> {};

        void update(String stage, int tasksDone, int tasks, long documents, long bytesDone, long bytesTotal);
    }

    /** What a stage run did: the merged stats of all its tasks and how many were skipped as already done. */
    public record Result(List<StepStats> stats, int tasksRun, int tasksSkipped) {}

    private final RunLayout layout;
    private final int workers;
    private final boolean keepRemoved;
    private final Progress progress;
    private final DocumentWriter.Format format;

    /** An executor that writes its survivors as {@code .jsonl.zst}. */
    public LocalExecutor(RunLayout layout, int workers, boolean keepRemoved, Progress progress) {
        this(layout, workers, keepRemoved, progress, DocumentWriter.Format.JSONL);
    }

    public LocalExecutor(RunLayout layout, int workers, boolean keepRemoved, Progress progress,
                         DocumentWriter.Format format) {
        this.layout = layout;
        this.workers = workers;
        this.keepRemoved = keepRemoved;
        this.progress = progress;
        this.format = format;
    }

    /** Where a task of a stage writes its survivors, in this executor's format. */
    public Path taskOutput(String stage, int task) {
        Path jsonl = layout.taskOutput(stage, task);
        return format == DocumentWriter.Format.JSONL ? jsonl
                : jsonl.resolveSibling("%05d%s".formatted(task, format.extension()));
    }

    public Result run(Stage stage) throws IOException, InterruptedException {
        int tasks = stage.inputs().size();
        long bytesTotal = 0;
        for (Path input : stage.inputs()) {
            bytesTotal += Files.size(input);
        }
        var tasksDone = new AtomicInteger();
        var documents = new AtomicLong();
        var bytesDone = new AtomicLong();
        var skipped = new AtomicInteger();
        var failures = new ArrayList<String>();
        long total = bytesTotal;
        try (ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, workers))) {
            var futures = new ArrayList<Future<?>>();
            for (int task = 0; task < tasks; task++) {
                int t = task;
                futures.add(pool.submit(() -> {
                    Path input = stage.inputs().get(t);
                    if (Files.exists(layout.completion(stage.name(), t))) {
                        skipped.incrementAndGet();
                    } else {
                        runTask(stage, t, documents, () -> progress.update(stage.name(), tasksDone.get(), tasks,
                                documents.get(), bytesDone.get(), total));
                    }
                    bytesDone.addAndGet(size(input));
                    progress.update(stage.name(), tasksDone.incrementAndGet(), tasks, documents.get(), bytesDone.get(), total);
                    return null;
                }));
            }
            for (int t = 0; t < tasks; t++) {
                try {
                    futures.get(t).get();
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    failures.add("task " + t + " (" + stage.inputs().get(t) + "): " + cause);
                }
            }
        }
        if (!failures.isEmpty()) {
            throw new IOException(failures.size() + " of " + tasks + " tasks of stage " + stage.name()
                    + " failed; rerun the same command to redo only those:\n  " + String.join("\n  ", failures));
        }
        var perTask = new ArrayList<List<StepStats>>();
        for (int t = 0; t < tasks; t++) {
            perTask.add(StatsFile.read(layout.taskStats(stage.name(), t)));
        }
        return new Result(inStepOrder(StatsFile.merge(perTask), stage), tasks - skipped.get(), skipped.get());
    }

    /** Tasks of different input kinds run different chains: list the merged blocks in pipeline order. */
    private static List<StepStats> inStepOrder(List<StepStats> merged, Stage stage) {
        var order = new ArrayList<String>();
        order.add("reader");
        if (stage.removals() != null) {
            order.add(stage.removals().name());
        }
        for (DocumentStep step : stage.steps().of(true)) {
            order.add(step.name());
        }
        List<DocumentStep> text = stage.steps().of(false);
        for (int i = 0; i < text.size(); i++) {
            if (!order.contains(text.get(i).name())) {
                order.add(i + 1 < order.size() ? i + 1 : order.size(), text.get(i).name());
            }
        }
        order.add("writer");
        var sorted = new ArrayList<>(merged);
        sorted.sort(java.util.Comparator.comparingInt(block -> {
            int at = order.indexOf(block.name());
            return at < 0 ? order.size() : at;
        }));
        return sorted;
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    private void runTask(Stage stage, int task, AtomicLong documents, Runnable tick) throws IOException {
        Path input = stage.inputs().get(task);
        DocumentReader reader = stage.readerFor().apply(input);
        List<DocumentStep> steps = stage.steps().of(reader.producesHtml());
        var readerStats = new StepStats("reader");
        var stepStats = new ArrayList<StepStats>();
        for (DocumentStep step : steps) {
            stepStats.add(new StepStats(step.name()));
        }
        long[] remove = stage.removals() == null ? null : stage.removals().forTask(task);
        StepStats removalStats = stage.removals() == null ? null : new StepStats(stage.removals().name());
        var outputs = new TaskOutputs(task, stage.name());
        try (outputs) {
            var index = new AtomicLong();
            reader.read(input, document -> {
                long at = index.getAndIncrement();
                if (documents.incrementAndGet() % 1000 == 0) {
                    tick.run();
                }
                if (remove != null) {
                    removalStats.increment("total");
                    if (Arrays.binarySearch(remove, at) >= 0) {
                        removalStats.increment("dropped");
                        outputs.removed(removalStats.name(), document.with(Document.FILTER_REASON, "duplicate"));
                        return;
                    }
                    removalStats.increment("forwarded");
                }
                Document current = document;
                for (int s = 0; s < steps.size(); s++) {
                    current = apply(steps.get(s), stepStats.get(s), current, outputs, input, at);
                    if (current == null) {
                        return;
                    }
                }
                outputs.kept(current);
            }, readerStats);
        }
        outputs.commit();
        var blocks = new ArrayList<StepStats>();
        blocks.add(readerStats);
        if (removalStats != null) {
            blocks.add(removalStats);
        }
        blocks.addAll(stepStats);
        blocks.add(outputs.writerStats());
        StatsFile.write(blocks, layout.taskStats(stage.name(), task));
        Path marker = layout.completion(stage.name(), task);
        Files.createDirectories(marker.getParent());
        Files.writeString(marker, input + "\n");
    }

    /** Runs one step on one document; returns the document to pass on, or null when it was dropped. */
    private Document apply(DocumentStep step, StepStats stats, Document document, TaskOutputs outputs, Path input,
                           long index) throws IOException {
        stats.increment("total");
        long start = System.nanoTime();
        Outcome outcome;
        try {
            outcome = step.apply(document, stats);
        } catch (RuntimeException | StackOverflowError e) {
            Warnings.warn(input + " document " + index + " (" + document.id() + "): step " + step.name()
                    + " failed, document dropped: " + e);
            outcome = Outcome.drop(document, "error");
        }
        stats.addTime(System.nanoTime() - start);
        return switch (outcome) {
            case Outcome.Keep keep -> {
                stats.increment("forwarded");
                stats.observe("doc_len", keep.document().text().length());
                yield keep.document();
            }
            case Outcome.Drop drop -> {
                stats.increment("dropped");
                stats.increment("dropped_" + drop.reason());
                outputs.removed(step.name(), drop.document().with(Document.FILTER_REASON, drop.reason()));
                yield null;
            }
        };
    }

    /** A task's output files, written under temporary names until {@link #commit()}. */
    private final class TaskOutputs implements AutoCloseable {
        private final int task;
        private final String stage;
        private final Path keptFile;
        private final DocumentWriter kept;
        private final Map<String, DocumentWriter> removed = new HashMap<>();
        private final Map<Path, Path> renames = new HashMap<>();
        private final StepStats writerStats = new StepStats("writer");

        TaskOutputs(int task, String stage) throws IOException {
            this.task = task;
            this.stage = stage;
            this.keptFile = taskOutput(stage, task);
            this.kept = open(keptFile, format);
        }

        private DocumentWriter open(Path file, DocumentWriter.Format fileFormat) throws IOException {
            Files.createDirectories(file.getParent());
            // a JSONL writer compresses by the name's .zst; Parquet compresses inside
            Path partial = file.resolveSibling(file.getFileName() + ".partial"
                    + (fileFormat == DocumentWriter.Format.JSONL ? ".zst" : ""));
            renames.put(partial, file);
            return fileFormat.create(partial);
        }

        void kept(Document document) throws IOException {
            kept.write(document);
            writerStats.increment("total");
            writerStats.increment(keptFile.getFileName().toString());
        }

        void removed(String step, Document document) throws IOException {
            if (!keepRemoved) {
                return;
            }
            DocumentWriter writer = removed.get(step);
            if (writer == null) {
                writer = open(layout.removed(step, task), DocumentWriter.Format.JSONL);
                removed.put(step, writer);
            }
            writer.write(document);
        }

        StepStats writerStats() {
            return writerStats;
        }

        @Override
        public void close() throws IOException {
            kept.close();
            for (DocumentWriter writer : removed.values()) {
                writer.close();
            }
        }

        void commit() throws IOException {
            for (var rename : renames.entrySet()) {
                Files.move(rename.getKey(), rename.getValue(), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

}
