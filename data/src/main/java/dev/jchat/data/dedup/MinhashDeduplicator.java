package dev.jchat.data.dedup;

import dev.jchat.data.Document;
import dev.jchat.data.StepStats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * MinHash near-duplicate removal over a list of tasks, all phases in one call, on local threads:
 *
 * <ol>
 *   <li>{@link MinhashDedupSignature}: tasks in parallel → {@code signatures/};
 *   <li>{@link MinhashDedupBuckets}: bands in parallel → {@code buckets/};
 *   <li>{@link MinhashDedupCluster}: one thread → {@code remove/};
 *   <li>{@link #filter}: per task, when the caller re-reads it.
 * </ol>
 *
 * A task is an {@link Iterable} that yields the same documents in the same order every time it is iterated
 * (phase 1 and phase 4 both read it; wrap a supplier as {@code () -> supplier.get().iterator()}). Files are
 * a function of the tasks' contents alone, never of the worker count or scheduling; stats merge in task
 * (band) order. {@link #run} first deletes the three phase directories under the working directory.
 */
public final class MinhashDeduplicator {
    /** Default records a phase-1 task buffers before spilling a sorted run: ~80 MB. */
    public static final long DEFAULT_MAX_RECORDS_IN_MEMORY = 1_000_000;

    private final MinhashConfig config;
    private final Path workDir;
    private final int workers;
    private final Function<String, List<String>> tokenizer;
    private final long maxRecordsInMemory;

    public MinhashDeduplicator(MinhashConfig config, Path workDir, int workers) {
        this(config, workDir, workers, MinhashSigner.defaultTokenizer(config.normalization()),
                DEFAULT_MAX_RECORDS_IN_MEMORY);
    }

    private MinhashDeduplicator(MinhashConfig config, Path workDir, int workers,
                                Function<String, List<String>> tokenizer, long maxRecordsInMemory) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be positive");
        }
        this.config = config;
        this.workDir = workDir;
        this.workers = workers;
        this.tokenizer = tokenizer;
        this.maxRecordsInMemory = maxRecordsInMemory;
    }

    /** The same, tokenizing simplified text with {@code newTokenizer} (must be thread-safe). */
    public MinhashDeduplicator withTokenizer(Function<String, List<String>> newTokenizer) {
        return new MinhashDeduplicator(config, workDir, workers, newTokenizer, maxRecordsInMemory);
    }

    /** The same, spilling phase-1 runs past {@code records} buffered band records per task. */
    public MinhashDeduplicator withMaxRecordsInMemory(long records) {
        return new MinhashDeduplicator(config, workDir, workers, tokenizer, records);
    }

    public Path signatureDir() {
        return workDir.resolve(MinhashFiles.SIGNATURES);
    }

    public Path dupsDir() {
        return workDir.resolve(MinhashFiles.BUCKETS);
    }

    public Path removeDir() {
        return workDir.resolve(MinhashFiles.REMOVE);
    }

    /** Phases 1–3 over the tasks; afterwards {@link #filter} gives each task's surviving documents. */
    public Result run(List<? extends Iterable<Document>> tasks) throws IOException {
        for (Path dir : List.of(signatureDir(), dupsDir(), removeDir())) {
            deleteTree(dir);
        }
        long t0 = System.nanoTime();
        var signature = new MinhashDedupSignature(config, tokenizer, signatureDir(), maxRecordsInMemory);
        StepStats signatureStats = parallel("minhash_signature", tasks.size(),
                task -> signature.run(task, tasks.get(task)));
        long t1 = System.nanoTime();
        var buckets = new MinhashDedupBuckets(config, signatureDir(), dupsDir());
        StepStats bucketStats = parallel("minhash_buckets", config.numBuckets(), buckets::run);
        long t2 = System.nanoTime();
        StepStats clusterStats = new MinhashDedupCluster(dupsDir(), removeDir()).run();
        long t3 = System.nanoTime();
        return new Result(signatureStats, bucketStats, clusterStats, t1 - t0, t2 - t1, t3 - t2);
    }

    /** Phase 4 for one task: its documents (re-read, same order as in {@link #run}) minus the removed ones. */
    public Iterable<Document> filter(int task, Iterable<Document> documents, StepStats stats,
                                     Consumer<Document> removed) {
        return new MinhashDedupFilter(removeDir()).filter(task, documents, stats, removed);
    }

    /** Each task's removed document indices, ascending. */
    public int[] removals(int task) throws IOException {
        return new MinhashDedupFilter(removeDir()).removals(task);
    }

    /**
     * What phases 1–3 counted, and their wall-clock times.
     *
     * @param signatures phase 1: {@code total}
     * @param buckets    phase 2: {@code total_matches}
     * @param clusters   phase 3: {@code duplicates}, {@code to_remove}, {@code clusters}, {@code cluster_size}
     */
    public record Result(StepStats signatures, StepStats buckets, StepStats clusters,
                         long signatureNanos, long bucketNanos, long clusterNanos) {}

    private interface Job {
        StepStats run(int index) throws IOException;
    }

    /** Runs jobs 0..count-1 on the worker threads; their stats merged in index order. */
    private StepStats parallel(String name, int count, Job job) throws IOException {
        var merged = new StepStats(name);
        if (workers == 1 || count <= 1) {
            for (int i = 0; i < count; i++) {
                merged.merge(job.run(i));
            }
            return merged;
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(Math.min(workers, count))) {
            var futures = new ArrayList<Future<StepStats>>();
            for (int i = 0; i < count; i++) {
                int index = i;
                futures.add(pool.submit(() -> job.run(index)));
            }
            try {
                for (Future<StepStats> f : futures) {
                    merged.merge(f.get());
                }
            } catch (ExecutionException e) {
                futures.forEach(f -> f.cancel(true));
                Throwable cause = e.getCause();
                if (cause instanceof IOException io) {
                    throw io;
                }
                if (cause instanceof RuntimeException re) {
                    throw re;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(cause);
            } catch (InterruptedException e) {
                futures.forEach(f -> f.cancel(true));
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        return merged;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
