package dev.jchat.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import dev.jchat.data.Document;
import dev.jchat.data.StepStats;
import dev.jchat.data.dedup.MinhashConfig;
import dev.jchat.data.dedup.MinhashDeduplicator;
import dev.jchat.data.filter.LanguageFilter;
import dev.jchat.data.io.Compression;
import dev.jchat.data.pipeline.DataPipeline;
import dev.jchat.data.pipeline.LocalExecutor;
import dev.jchat.data.pipeline.RunLayout;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * The data pipeline benchmark: FineWeb's whole pipeline ({@link DataPipeline}: URL filter, extraction,
 * language ID, Gopher, C4 and FineWeb quality filters, MinHash, token count, PII) on real HTML pages in
 * Common Crawl-style WARC files, with 1 and with 2 workers, and MinHash alone on synthetic documents.
 *
 * <pre>
 * # one reactor build, so that the jar holds this tree's data module (a bench-only build takes ~/.m2's)
 * JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 mvn -q -o -pl tokenizer,data,bench package -DskipTests
 * bench/build-warc.sh                      # target/bench-warc/warc/bench-0000{0..7}.warc.gz, see the script
 * JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
 * ../shared/bench/measure.sh $JAVA -Xmx2g -XX:+UseParallelGC -cp bench/target/jchat-bench.jar \
 *     dev.jchat.bench.DataBench pipeline [--runs 3] [--workers 1,2] [--warmup FILES] [--warc target/bench-warc/warc]
 * ../shared/bench/measure.sh $JAVA -Xmx2g -XX:+UseParallelGC -cp bench/target/jchat-bench.jar \
 *     dev.jchat.bench.DataBench minhash [--documents 200000] [--workers 1,2] [--tasks 8] [--words 300]
 * # memory bound: the same with -Xmx256m (pipeline) or -Xmx400m (minhash --documents 1000000 --workers 2)
 * </pre>
 *
 * <p><b>pipeline</b>: one warm-up run, not counted, on the first {@code --warmup} input files (default all; 0:
 * none, and the first run then shows a cold JVM, whose JIT compilers spend ~16 s of CPU on this corpus), then
 * {@code --runs} timed runs per worker count, interleaved (1, 2, 1, 2, …) so that load from other jobs hits
 * both alike; every run writes a fresh run directory and deletes it afterwards. The table gives medians. Per
 * core means per worker (wall-clock), and per CPU-second of (a) the Java threads that ran (workers, MinHash
 * threads, the main thread; sampled every 10 ms by {@link java.lang.management.ThreadMXBean}) and (b) the whole
 * process (with GC and JIT). Input MB are uncompressed WARC bytes. Per-step rows come from the run's stats.json:
 * each step's {@code time_stats} (wall-clock time inside the step, summed over workers) as a share of wall ×
 * workers, and documents entering the step per second of step time (one thread). The rest: WARC gunzip and
 * parsing, charset decoding, JSONL+zstd writing and re-reading, bookkeeping, and workers idle (the end of a
 * stage, MinHash's single-threaded cluster phase). Step times are wall-clock: load from other processes
 * inflates them all alike. Every run prints a digest of the final documents and of all counters: a speed
 * change that changes a result shows up there. "foreign" is the CPU that other processes used during the run,
 * as a share of the machine (as {@code measure.sh} computes it): above a few % the run was disturbed.
 *
 * <p><b>minhash</b>: FineWeb's MinHash (5-grams, 14×8 hashes, NLTK words) on {@code --documents} synthetic
 * documents ({@code --words} ± 50% words from a Zipf-like 20,000-word vocabulary; every 40th one a
 * near-duplicate of a document 1,001 earlier), generated on the fly in {@code --tasks} tasks (generation is
 * included in phases 1 and 4), and the time a million would take at the measured rates (phases 1 and 4 are
 * linear; 2 and 3 are merges of sorted files, near linear).
 */
public final class DataBench {
    private static final String[] STEP_ORDER = {"url", "extract", "language", "gopher_rep", "gopher_qual",
            "c4_quality", "fineweb_quality", "minhash_signature", "minhash_buckets", "minhash_cluster", "minhash",
            "tokens", "pii"};

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || !(args[0].equals("pipeline") || args[0].equals("minhash"))) {
            System.err.println("usage: DataBench pipeline [--runs 3] [--workers 1,2] [--warmup FILES] [--warc DIR]"
                    + " [--out DIR]\n       DataBench minhash [--documents 200000] [--workers 1,2] [--tasks 8]"
                    + " [--words 300] [--out DIR]");
            System.exit(2);
        }
        Map<String, String> options = new HashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int[] workers = Arrays.stream(options.getOrDefault("workers", "1,2").split(",")).mapToInt(Integer::parseInt)
                .toArray();
        Path out = Path.of(options.getOrDefault("out", "target/bench-data-runs"));
        System.out.printf("JVM %s, %s, max heap %d MB, %d cpus; load average %.2f%n", Runtime.version(),
                ManagementFactory.getRuntimeMXBean().getInputArguments(), Runtime.getRuntime().maxMemory() >> 20,
                Runtime.getRuntime().availableProcessors(), loadAverage());
        if (args[0].equals("pipeline")) {
            pipeline(Path.of(options.getOrDefault("warc", "target/bench-warc/warc")),
                    Integer.parseInt(options.getOrDefault("runs", "3")), workers,
                    Integer.parseInt(options.getOrDefault("warmup", "1000")), out);
        } else {
            minhash(Integer.parseInt(options.getOrDefault("documents", "200000")), workers,
                    Integer.parseInt(options.getOrDefault("tasks", "8")),
                    Integer.parseInt(options.getOrDefault("words", "300")), out);
        }
    }

    // ---------------------------------------------------------------------------------------------- pipeline

    /** What one pipeline run measured. */
    record Run(int workers, double wallSeconds, double threadCpuSeconds, double processCpuSeconds,
               double gcSeconds, double foreignShare, long peakHeapBytes, long peakAfterGcBytes,
               Map<String, List<StepStats>> stats, String digest) {

        long documentsIn() {
            return block("filtered", "reader").count("documents");
        }

        long documentsOut() {
            return block("documents", "writer").count("total");
        }

        StepStats block(String part, String name) {
            for (StepStats block : stats.getOrDefault(part, List.of())) {
                if (block.name().equals(name)) {
                    return block;
                }
            }
            return new StepStats(name);
        }

        /** A step's block wherever it is (steps have distinct names across parts, reader/writer aside). */
        StepStats step(String name) {
            for (List<StepStats> blocks : stats.values()) {
                for (StepStats block : blocks) {
                    if (block.name().equals(name)) {
                        return block;
                    }
                }
            }
            return null;
        }

        double stepSeconds() {
            double sum = 0;
            for (String name : STEP_ORDER) {
                StepStats block = step(name);
                sum += block == null ? 0 : block.nanos() / 1e9;
            }
            return sum;
        }
    }

    private static void pipeline(Path warcDir, int runs, int[] workerCounts, int warmupFiles, Path out)
            throws Exception {
        List<Path> inputs;
        try (Stream<Path> files = Files.list(warcDir)) {
            inputs = files.filter(p -> p.getFileName().toString().endsWith(".warc.gz")).sorted().toList();
        }
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException(warcDir + ": no *.warc.gz (run bench/build-warc.sh)");
        }
        long compressed = 0;
        long uncompressed = 0;
        for (Path input : inputs) {
            compressed += Files.size(input);
            try (InputStream in = new GZIPInputStream(Files.newInputStream(input), 1 << 16)) {
                uncompressed += in.transferTo(java.io.OutputStream.nullOutputStream());
            }
        }
        System.out.printf("corpus: %d WARC files in %s, %.1f MB gzip, %.1f MB uncompressed%n", inputs.size(),
                warcDir, compressed / 1e6, uncompressed / 1e6);

        if (warmupFiles > 0) {
            int w = Arrays.stream(workerCounts).max().orElse(1);
            Run warmup = runPipeline(inputs.subList(0, Math.min(warmupFiles, inputs.size())), w, out.resolve("warmup"));
            System.out.printf("warm-up (JIT; %d file(s), %d worker(s), not counted): %d documents in %.1f s, %.1f s "
                            + "process CPU, %.1f s thread CPU%n", Math.min(warmupFiles, inputs.size()), w,
                    warmup.documentsIn(), warmup.wallSeconds(), warmup.processCpuSeconds(), warmup.threadCpuSeconds());
        }

        var byWorkers = new LinkedHashMap<Integer, List<Run>>();
        for (int r = 0; r < runs; r++) {
            for (int w : workerCounts) {
                Run run = runPipeline(inputs, w, out.resolve("w" + w + "-r" + r));
                byWorkers.computeIfAbsent(w, k -> new ArrayList<>()).add(run);
                System.out.printf("run %d, %d worker(s): %.1f s wall, %.1f s thread CPU, %.1f s process CPU, "
                                + "GC %.1f s, foreign %.0f%%, %d → %d documents, digest %s%n", r + 1, w,
                        run.wallSeconds(), run.threadCpuSeconds(), run.processCpuSeconds(), run.gcSeconds(), 100 * run.foreignShare(),
                        run.documentsIn(), run.documentsOut(), run.digest());
            }
        }
        var digests = new java.util.TreeSet<String>();
        byWorkers.values().forEach(list -> list.forEach(run -> digests.add(run.digest())));
        System.out.println(digests.size() == 1 ? "all runs agree: same documents and counters"
                : "WARNING: runs differ in their documents or counters: " + digests);
        printPipelineTable(byWorkers, uncompressed);
    }

    private static Run runPipeline(List<Path> inputs, int workers, Path dir) throws Exception {
        deleteTree(dir);
        var options = new DataPipeline.Options(inputs, dir, Set.of("en"), LanguageFilter.DEFAULT_THRESHOLD, workers,
                false, Set.of(), "bench");
        var meter = new Meter();
        meter.start();
        DataPipeline.Summary summary;
        try {
            summary = new DataPipeline(options, LocalExecutor.Progress.NONE).run();
        } finally {
            meter.stop();
        }
        String digest = digest(new RunLayout(dir), summary.stats(), inputs.size());
        deleteTree(dir);
        return new Run(workers, meter.wallSeconds, meter.threadCpuSeconds, meter.processCpuSeconds, meter.gcSeconds,
                meter.foreignShare, meter.peakHeap, meter.peakAfterGc, summary.stats(), digest);
    }

    private static void printPipelineTable(Map<Integer, List<Run>> byWorkers, long inputBytes) {
        var columns = new ArrayList<Integer>(byWorkers.keySet());
        System.out.printf("%nmedians of %d runs%n", byWorkers.values().iterator().next().size());
        StringBuilder header = new StringBuilder(String.format("%-34s", ""));
        for (int w : columns) {
            header.append(String.format("%22s", w + (w == 1 ? " worker" : " workers")));
        }
        System.out.println(header);
        row("documents in", byWorkers, run -> (double) run.documentsIn(), "%,.0f");
        row("documents out", byWorkers, run -> (double) run.documentsOut(), "%,.0f");
        row("wall s", byWorkers, Run::wallSeconds, "%.1f");
        row("docs/s", byWorkers, run -> run.documentsIn() / run.wallSeconds(), "%,.0f");
        row("docs/s per core (wall × workers)", byWorkers,
                run -> run.documentsIn() / (run.wallSeconds() * run.workers()), "%,.0f");
        row("docs per thread-CPU-s", byWorkers, run -> run.documentsIn() / run.threadCpuSeconds(), "%,.0f");
        row("docs per process-CPU-s (GC, JIT)", byWorkers, run -> run.documentsIn() / run.processCpuSeconds(), "%,.0f");
        row("input MB/s per core (WARC)", byWorkers,
                run -> inputBytes / 1e6 / (run.wallSeconds() * run.workers()), "%.2f");
        row("GC s", byWorkers, Run::gcSeconds, "%.1f");
        row("peak heap used MB", byWorkers, run -> run.peakHeapBytes() / 1e6, "%,.0f");
        row("heap after full GC MB (max)", byWorkers, run -> run.peakAfterGcBytes() / 1e6, "%,.0f");
        row("foreign CPU (other processes)", byWorkers, run -> 100 * run.foreignShare(), "%.0f%%");
        System.out.printf("%n%-34s", "step: share of wall × workers, docs/s");
        for (int w : columns) {
            System.out.printf("%22s", w + (w == 1 ? " worker" : " workers"));
        }
        System.out.println();
        for (String name : STEP_ORDER) {
            if (byWorkers.values().iterator().next().getFirst().step(name) == null) {
                continue;
            }
            System.out.printf("  %-32s", name);
            for (int w : columns) {
                List<Run> list = byWorkers.get(w);
                double share = median(list, run -> run.step(name).nanos() / 1e9 / (run.wallSeconds() * run.workers()));
                // documents entering the step; the MinHash merge phases: the documents signed
                double rate = median(list, run -> (name.startsWith("minhash_") ? run.step("minhash_signature")
                        : run.step(name)).count("total") / (run.step(name).nanos() / 1e9));
                System.out.printf("%22s", Double.isFinite(rate) ? String.format("%5.1f%% %,10.0f/s", 100 * share, rate)
                        : String.format("%5.1f%% %12s", 100 * share, "(no time)"));
            }
            System.out.println();
        }
        System.out.printf("  %-32s", "rest: read, decode, write, idle");
        for (int w : columns) {
            double share = median(byWorkers.get(w), run -> 1 - run.stepSeconds() / (run.wallSeconds() * run.workers()));
            System.out.printf("%22s", String.format("%5.1f%% %12s", 100 * share, ""));
        }
        System.out.println();
        System.out.println("(docs/s of a step: documents entering it per second of time inside it, i.e. per thread; "
                + "for minhash_buckets and minhash_cluster: documents signed)");
    }

    private static void row(String label, Map<Integer, List<Run>> byWorkers, java.util.function.ToDoubleFunction<Run> f,
                            String format) {
        System.out.printf("%-34s", label);
        for (List<Run> runs : byWorkers.values()) {
            System.out.printf("%22s", String.format(format, median(runs, f)));
        }
        System.out.println();
    }

    private static double median(List<Run> runs, java.util.function.ToDoubleFunction<Run> f) {
        double[] values = runs.stream().mapToDouble(f).toArray();
        Arrays.sort(values);
        int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    /** SHA-256 of the final documents (decompressed, in task order) and of every counter (not the times). */
    private static String digest(RunLayout layout, Map<String, List<StepStats>> stats, int tasks) throws Exception {
        var sha = MessageDigest.getInstance("SHA-256");
        for (String stage : List.of("filtered", "documents")) {
            for (int t = 0; t < tasks; t++) {
                try (InputStream in = Compression.open(layout.taskOutput(stage, t))) {
                    byte[] buffer = new byte[1 << 16];
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        sha.update(buffer, 0, n);
                    }
                }
            }
        }
        stats.forEach((part, blocks) -> blocks.forEach(block -> {
            sha.update((part + "/" + block.name() + new java.util.TreeMap<>(block.counts())).getBytes());
            block.values().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e ->
                    sha.update((e.getKey() + e.getValue().n() + "/" + e.getValue().total()).getBytes()));
        }));
        return HexFormat.of().formatHex(sha.digest(), 0, 6);
    }

    // ----------------------------------------------------------------------------------------------- minhash

    private static void minhash(int documents, int[] workerCounts, int taskCount, int words, Path out)
            throws Exception {
        var corpus = new SyntheticCorpus(words);
        var tasks = new ArrayList<Iterable<Document>>();
        long per = (documents + taskCount - 1) / taskCount;
        for (int t = 0; t < taskCount; t++) {
            long from = Math.min(documents, t * per);
            tasks.add(corpus.range(from, Math.min(documents, from + per)));
        }
        long g0 = System.nanoTime();
        long chars = 0;
        int sample = Math.min(documents, 20_000);
        for (Document d : corpus.range(0, sample)) {
            chars += d.text().length();
        }
        double generation = (System.nanoTime() - g0) / 1e9 / sample;
        System.out.printf("MinHash (FineWeb: 5-grams, 14 buckets × 8 hashes, NLTK words): %,d synthetic documents, "
                        + "%d tasks, %.0f chars/doc; generating one takes %.1f µs (included in phases 1 and 4)%n",
                documents, taskCount, (double) chars / sample, generation * 1e6);
        // warm-up on a small slice
        new MinhashDeduplicator(MinhashConfig.FINEWEB, out.resolve("warmup"), 1).run(List.of(corpus.range(0, 5000)));
        deleteTree(out.resolve("warmup"));
        System.out.printf("%-8s %-20s %9s %11s %13s %14s%n", "workers", "phase", "wall s", "docs/s",
                "docs/s/core", "1M docs, min");
        for (int workers : workerCounts) {
            Path dir = out.resolve("minhash-w" + workers);
            var dedup = new MinhashDeduplicator(MinhashConfig.FINEWEB, dir, workers);
            var meter = new Meter();
            meter.start();
            MinhashDeduplicator.Result result = dedup.run(tasks);
            long f0 = System.nanoTime();
            long dropped = filterAll(dedup, tasks, workers);
            double filterSeconds = (System.nanoTime() - f0) / 1e9;
            meter.stop();
            double[] seconds = {result.signatureNanos() / 1e9, result.bucketNanos() / 1e9,
                    result.clusterNanos() / 1e9, filterSeconds};
            String[] names = {"1 signatures", "2 buckets", "3 clusters", "4 filter (re-read)"};
            double total = 0;
            for (int p = 0; p < 4; p++) {
                total += seconds[p];
                int cores = p == 2 ? 1 : workers;
                System.out.printf("%-8d %-20s %9.1f %,11.0f %,13.0f %14.1f%n", workers, names[p], seconds[p],
                        documents / seconds[p], documents / seconds[p] / cores, seconds[p] * 1e6 / documents / 60);
            }
            System.out.printf("%-8d %-20s %9.1f %,11.0f %,13.0f %14.1f%n", workers, "all", total, documents / total,
                    documents / total / workers, total * 1e6 / documents / 60);
            System.out.printf("         thread CPU %.1f s, process CPU %.1f s (%,.0f docs per CPU-s), GC %.1f s, "
                            + "peak heap %d MB (after full GC %d MB), foreign %.0f%%; duplicates %d, to_remove %d, dropped %d%n",
                    meter.threadCpuSeconds, meter.processCpuSeconds, documents / meter.processCpuSeconds,
                    meter.gcSeconds, meter.peakHeap >> 20, meter.peakAfterGc >> 20, 100 * meter.foreignShare,
                    result.clusters().count("duplicates"), result.clusters().count("to_remove"), dropped);
            deleteTree(dir);
        }
    }

    private static long filterAll(MinhashDeduplicator dedup, List<Iterable<Document>> tasks, int workers)
            throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(workers)) {
            var futures = new ArrayList<Future<Long>>();
            for (int t = 0; t < tasks.size(); t++) {
                int task = t;
                futures.add(pool.submit(() -> {
                    var stats = new StepStats("minhash_filter");
                    for (Document ignored : dedup.filter(task, tasks.get(task), stats, null)) {
                        // consume
                    }
                    return stats.count("dropped");
                }));
            }
            long dropped = 0;
            for (Future<Long> f : futures) {
                dropped += f.get();
            }
            return dropped;
        }
    }

    /** Deterministic pseudo-text: document i depends only on i. */
    static final class SyntheticCorpus {
        private static final String[] SYLLABLES = {
            "ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "pa", "be", "do", "fu", "ga", "hi", "jo",
            "an", "el", "is", "or", "um", "st", "tr", "pl", "qu", "wy", "xe", "ch", "sh", "th", "ng", "er",
        };
        private final String[] vocabulary = new String[20_000];
        private final int words;

        SyntheticCorpus(int words) {
            this.words = words;
            var random = new SplittableRandom(42);
            for (int i = 0; i < vocabulary.length; i++) {
                var sb = new StringBuilder();
                int syllables = 1 + (i < 100 ? random.nextInt(2) : 1 + random.nextInt(3));
                for (int s = 0; s < syllables; s++) {
                    sb.append(SYLLABLES[random.nextInt(SYLLABLES.length)]);
                }
                vocabulary[i] = sb.toString();
            }
        }

        Iterable<Document> range(long from, long to) {
            return () -> new Iterator<>() {
                long next = from;

                @Override
                public boolean hasNext() {
                    return next < to;
                }

                @Override
                public Document next() {
                    return document(next++);
                }
            };
        }

        Document document(long i) {
            boolean nearDuplicate = i % 40 == 39 && i >= 1000;
            long source = nearDuplicate ? i - 1001 : i;
            var random = new SplittableRandom(new SplittableRandom(source).nextLong());
            var sb = new StringBuilder(words * 8);
            sb.append(nearDuplicate ? "Updated on 14 July 2023" : "Published on 3 March 2021").append("\n\n");
            int n = words / 2 + random.nextInt(words + 1);
            for (int w = 0; w < n; w++) {
                double u = random.nextDouble();
                String word = vocabulary[(int) (u * u * vocabulary.length)];
                if (w % 12 == 0) {
                    sb.append(Character.toUpperCase(word.charAt(0))).append(word, 1, word.length());
                } else {
                    sb.append(word);
                }
                sb.append(w % 12 == 11 ? (w % 60 == 59 ? ".\n\n" : ". ") : " ");
            }
            sb.append(nearDuplicate ? "\n\nShare this story." : "\n\nAll rights reserved.");
            return new Document(sb.toString(), "doc-" + i);
        }
    }

    // ------------------------------------------------------------------------------------------ measurement

    /**
     * Wall, CPU, GC and heap of a stretch of work: Java threads' CPU sampled every 10 ms (threads that end keep
     * their last sample), the process's CPU, GC time, heap used (sampled) and the heap left after each full GC
     * (the live set; 0 when none ran: then run with a small -Xmx to show the bound), and the CPU other processes
     * used meanwhile (from /proc/stat).
     */
    static final class Meter {
        private final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        private final com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        private final Map<Long, Long> startCpu = new HashMap<>();
        private final Map<Long, Long> lastCpu = new HashMap<>();
        private volatile boolean running;
        private Thread sampler;
        private long wall0;
        private long process0;
        private long gc0;
        private long[] machine0;
        private volatile long peakAfterGcLive;
        private javax.management.NotificationListener gcListener;
        double wallSeconds;
        double threadCpuSeconds;
        double processCpuSeconds;
        double gcSeconds;
        double foreignShare;
        long peakHeap;
        long peakAfterGc;

        void start() {
            System.gc();
            for (long id : threads.getAllThreadIds()) {
                startCpu.put(id, threads.getThreadCpuTime(id));
            }
            gcListener = (notification, handback) -> {
                if (!notification.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
                    return;
                }
                var info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
                if (!info.getGcAction().contains("major")) {
                    return; // after a young collection the old generation still holds garbage: no live-set figure
                }
                long used = info.getGcInfo().getMemoryUsageAfterGc().values().stream()
                        .mapToLong(MemoryUsage::getUsed).sum();
                if (used > peakAfterGcLive) {
                    peakAfterGcLive = used;
                }
            };
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                ((NotificationEmitter) gc).addNotificationListener(gcListener, null, null);
            }
            gc0 = gcMillis();
            machine0 = machineJiffies();
            process0 = os.getProcessCpuTime();
            wall0 = System.nanoTime();
            running = true;
            sampler = new Thread(() -> {
                long self = Thread.currentThread().threadId();
                while (running) {
                    sample(self);
                    long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                    peakHeap = Math.max(peakHeap, used);
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "bench-sampler");
            sampler.setDaemon(true);
            sampler.start();
        }

        private synchronized void sample(long self) {
            long[] ids = threads.getAllThreadIds();
            long[] cpu = threads.getThreadCpuTime(ids);
            for (int i = 0; i < ids.length; i++) {
                if (ids[i] != self && cpu[i] >= 0) {
                    lastCpu.put(ids[i], cpu[i]);
                }
            }
        }

        void stop() throws InterruptedException {
            sample(sampler.threadId());
            wallSeconds = (System.nanoTime() - wall0) / 1e9;
            long process = os.getProcessCpuTime() - process0;
            long[] machine1 = machineJiffies();
            running = false;
            sampler.join();
            processCpuSeconds = process / 1e9;
            gcSeconds = (gcMillis() - gc0) / 1e3;
            long sum = 0;
            for (var e : lastCpu.entrySet()) {
                sum += e.getValue() - startCpu.getOrDefault(e.getKey(), 0L);
            }
            threadCpuSeconds = sum / 1e9;
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                try {
                    ((NotificationEmitter) gc).removeNotificationListener(gcListener);
                } catch (javax.management.ListenerNotFoundException ignored) {
                    // not registered
                }
            }
            peakAfterGc = peakAfterGcLive;
            if (machine0 != null && machine1 != null) {
                double busy = (machine1[0] - machine0[0]) / 100.0;
                double cpus = Runtime.getRuntime().availableProcessors();
                foreignShare = Math.max(0, busy - processCpuSeconds) / (wallSeconds * cpus);
            }
        }

        private static long gcMillis() {
            long sum = 0;
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                sum += Math.max(0, gc.getCollectionTime());
            }
            return sum;
        }

        /** Busy jiffies of the whole machine (user+nice+system+irq+softirq+steal), or null off Linux. */
        private static long[] machineJiffies() {
            try {
                String[] f = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
                long busy = 0;
                for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
                    busy += Long.parseLong(f[i]);
                }
                return new long[] {busy};
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private DataBench() {}
}
