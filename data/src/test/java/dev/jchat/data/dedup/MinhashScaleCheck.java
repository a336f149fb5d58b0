package dev.jchat.data.dedup;

import dev.jchat.data.Document;
import dev.jchat.data.StepStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.SplittableRandom;

/**
 * Not a unit test: all four MinHash phases over N synthetic documents, generated on the fly (nothing held
 * in memory), reporting documents per second per phase.
 *
 * <pre>
 * mvn -q -o -pl data -am test-compile
 * java -Xmx2g -cp data/target/classes:data/target/test-classes dev.jchat.data.dedup.MinhashScaleCheck \
 *     [documents=100000] [workers=2] [tasks=8] [wordsPerDocument=300] [workDir=/tmp/minhash-scale] [normalized]
 * </pre>
 *
 * Documents: {@code wordsPerDocument} ± 50% words drawn from a 20,000-word vocabulary of pseudo-words
 * (Zipf-like: the first words are common), cut into sentences and paragraphs. Every 40th document is a
 * near-duplicate of the one 1,001 documents earlier (a date line and a footer changed), so about 2.5% should go.
 * {@code normalized} tokenizes with {@link NormalizedWordTokenizer} instead of the default {@code WordTokenizer}.
 */
public final class MinhashScaleCheck {

    public static void main(String[] args) throws IOException {
        int documents = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int workers = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int taskCount = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        int words = args.length > 3 ? Integer.parseInt(args[3]) : 300;
        Path workDir = Path.of(args.length > 4 ? args[4] : "/tmp/minhash-scale");
        boolean fastTokenizer = args.length > 5 && args[5].equals("normalized");
        Files.createDirectories(workDir);

        var corpus = new SyntheticCorpus(words);
        var tasks = new ArrayList<Iterable<Document>>();
        long per = (documents + taskCount - 1) / taskCount;
        for (int t = 0; t < taskCount; t++) {
            long from = Math.min(documents, t * per);
            long to = Math.min(documents, from + per);
            tasks.add(corpus.range(from, to));
        }

        // generation alone, to subtract from phase 1 and phase 4
        long g0 = System.nanoTime();
        long chars = 0;
        int sample = Math.min(documents, 20_000);
        for (Document d : corpus.range(0, sample)) {
            chars += d.text().length();
        }
        double genPerDoc = (System.nanoTime() - g0) / 1e9 / sample;

        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean();
        var plain = new MinhashDeduplicator(MinhashConfig.FINEWEB, workDir, workers);
        var dedup = fastTokenizer ? plain.withTokenizer(new NormalizedWordTokenizer()) : plain;
        long cpu0 = os.getProcessCpuTime();
        var result = dedup.run(tasks);
        long cpu1 = os.getProcessCpuTime();

        long f0 = System.nanoTime();
        var filterStats = new StepStats("minhash_filter");
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(workers)) {
            var futures = new ArrayList<java.util.concurrent.Future<StepStats>>();
            for (int t = 0; t < taskCount; t++) {
                int task = t;
                futures.add(pool.submit(() -> {
                    var stats = new StepStats("minhash_filter");
                    for (Document ignored : dedup.filter(task, tasks.get(task), stats, null)) {
                        // consume
                    }
                    return stats;
                }));
            }
            for (var f : futures) {
                filterStats.merge(f.get());
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        double filterSeconds = (System.nanoTime() - f0) / 1e9;
        long cpu2 = os.getProcessCpuTime();

        double s1 = result.signatureNanos() / 1e9;
        double s2 = result.bucketNanos() / 1e9;
        double s3 = result.clusterNanos() / 1e9;
        System.out.printf("MinHash scale check: %,d documents (%d tasks, %d workers, ~%d words, %.0f chars/doc avg, %s)%n",
                documents, taskCount, workers, words, (double) chars / sample,
                fastTokenizer ? "NormalizedWordTokenizer" : "WordTokenizer");
        System.out.printf("generation alone ≈ %.1f µs/doc (single thread; included in phases 1 and 4)%n",
                genPerDoc * 1e6);
        System.out.printf("%-22s %10s %14s%n", "phase", "seconds", "docs/s");
        System.out.printf("%-22s %10.1f %,14.0f%n", "1 signatures", s1, documents / s1);
        System.out.printf("%-22s %10.1f %,14.0f%n", "2 buckets (merge)", s2, documents / s2);
        System.out.printf("%-22s %10.1f %,14.0f%n", "3 clusters", s3, documents / s3);
        System.out.printf("%-22s %10.1f %,14.0f%n", "4 filter (re-read)", filterSeconds, documents / filterSeconds);
        double total = s1 + s2 + s3 + filterSeconds;
        System.out.printf("%-22s %10.1f %,14.0f%n", "all phases", total, documents / total);
        System.out.printf("process CPU: phases 1-3 %.1f s (%,.0f docs per CPU-second), phase 4 %.1f s; load average %.1f%n",
                (cpu1 - cpu0) / 1e9, documents / ((cpu1 - cpu0) / 1e9), (cpu2 - cpu1) / 1e9,
                os.getSystemLoadAverage());
        System.out.printf("total_matches=%d duplicates=%d to_remove=%d clusters=%d dropped=%d%n",
                result.buckets().count("total_matches"), result.clusters().count("duplicates"),
                result.clusters().count("to_remove"), result.clusters().count("clusters"),
                filterStats.count("dropped"));
        Runtime rt = Runtime.getRuntime();
        System.out.printf("heap: max %d MB; signature files %d MB%n", rt.maxMemory() >> 20,
                sizeOf(dedup.signatureDir()) >> 20);
    }

    private static long sizeOf(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            return paths.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    /** Deterministic documents: document i depends only on i. */
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
            long source = nearDuplicate ? i - 1001 : i; // never itself a near-duplicate
            // a well-mixed seed per document (seeds a multiple of the generator's gamma apart give shifted streams)
            var random = new SplittableRandom(new SplittableRandom(source).nextLong());
            var sb = new StringBuilder(words * 8);
            sb.append(nearDuplicate ? "Updated on 14 July 2023" : "Published on 3 March 2021").append("\n\n");
            int n = words / 2 + random.nextInt(words + 1);
            for (int w = 0; w < n; w++) {
                // Zipf-like: squaring a uniform draw favours small indices
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

    private MinhashScaleCheck() {}
}
