package dev.jchat.data.dedup;

import dev.jchat.data.Document;
import dev.jchat.data.StepStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * MinHash phase 1 (datatrove's {@code MinhashDedupSignature}): for one task, the signature of every document,
 * cut into bands, each band written to its own file sorted by (band hashes, document index)
 * ({@link MinhashFiles}). Records are buffered and sorted in memory; past {@code maxRecordsInMemory} records
 * the buffers are sorted and spilled as runs that are merged into the final files at the end, so a task of
 * any size runs in bounded memory (about 80 bytes a record: 72 of data and 8 of sort indices).
 *
 * <p>Stats: {@code total} (documents read). Thread-safe: each {@link #run} has its own state, so tasks can
 * run in parallel.
 */
public final class MinhashDedupSignature {
    private final MinhashConfig config;
    private final Function<String, List<String>> tokenizer;
    private final Path signatureDir;
    private final long maxRecordsInMemory;

    public MinhashDedupSignature(MinhashConfig config, Function<String, List<String>> tokenizer, Path signatureDir,
                                 long maxRecordsInMemory) {
        if (maxRecordsInMemory < config.numBuckets()) {
            throw new IllegalArgumentException("maxRecordsInMemory must hold at least one record per band");
        }
        this.config = config;
        this.tokenizer = tokenizer;
        this.signatureDir = signatureDir;
        this.maxRecordsInMemory = maxRecordsInMemory;
    }

    /** Signs the task's documents (in order: the index is the document's position) and writes its band files. */
    public StepStats run(int task, Iterable<Document> documents) throws IOException {
        var stats = new StepStats("minhash_signature");
        long started = System.nanoTime();
        var signer = new MinhashSigner(config, tokenizer);
        int bands = config.numBuckets();
        int perBand = config.hashesPerBucket();
        var buffers = new BandBuffer[bands];
        for (int b = 0; b < bands; b++) {
            buffers[b] = new BandBuffer(perBand);
        }
        var runs = new ArrayList<Integer>();
        long buffered = 0;
        long docIndex = 0;
        for (Document document : documents) {
            if (docIndex > 0xFFFFFFFFL) {
                throw new IllegalStateException("a task holds at most 2^32 documents; split the input into more tasks");
            }
            stats.increment("total");
            long[] sig = signer.signature(document.text());
            if (sig != null) {
                for (int b = 0; b < bands; b++) {
                    buffers[b].add(sig, b * perBand, docIndex);
                }
                buffered += bands;
                if (buffered >= maxRecordsInMemory) {
                    spill(task, buffers, runPath(task, runs.size()));
                    runs.add(runs.size());
                    buffered = 0;
                }
            }
            docIndex++;
        }
        if (runs.isEmpty()) {
            spill(task, buffers, null);
        } else {
            if (buffered > 0) {
                spill(task, buffers, runPath(task, runs.size()));
                runs.add(runs.size());
            }
            mergeRuns(task, runs);
        }
        stats.addTime(System.nanoTime() - started);
        return stats;
    }

    private RunPath runPath(int task, int run) {
        return band -> MinhashFiles.bucketDir(signatureDir, band).resolve("%05d.run%04d".formatted(task, run));
    }

    /** Sorts every band buffer and writes it to the run (or, with no run, to the final file); empties them. */
    private void spill(int task, BandBuffer[] buffers, RunPath runPath) throws IOException {
        for (int band = 0; band < buffers.length; band++) {
            Path out = runPath == null ? MinhashFiles.signatureFile(signatureDir, band, task) : runPath.of(band);
            buffers[band].writeSorted(out);
        }
    }

    private void mergeRuns(int task, List<Integer> runs) throws IOException {
        for (int band = 0; band < config.numBuckets(); band++) {
            var streams = new ArrayList<SigStream>();
            try {
                for (int run : runs) {
                    Path p = runPath(task, run).of(band);
                    streams.add(new SigStream(run, p, config.hashesPerBucket()));
                }
                try (var out = new LittleEndianWriter(MinhashFiles.signatureFile(signatureDir, band, task))) {
                    // runs hold increasing document ranges, so (hashes, run, doc) order is (hashes, doc) order
                    SigStream.merge(streams, s -> {
                        for (long h : s.sig) {
                            out.putLong(h);
                        }
                        out.putUint32(s.doc);
                    });
                }
            } finally {
                for (SigStream s : streams) {
                    s.close();
                }
            }
            for (int run : runs) {
                Files.deleteIfExists(runPath(task, run).of(band));
            }
        }
    }

    private interface RunPath {
        Path of(int band);
    }

    /** One band's records in memory: {@code stride} = hashes + 1 longs each (the last is the document index). */
    static final class BandBuffer {
        private final int hashes;
        private final int stride;
        private long[] data = new long[0];
        private int count;

        BandBuffer(int hashes) {
            this.hashes = hashes;
            this.stride = hashes + 1;
        }

        void add(long[] sig, int from, long doc) {
            int at = count * stride;
            if (at + stride > data.length) {
                long grown = Math.max(64L * stride, (long) data.length * 3 / 2 + stride);
                if (grown > Integer.MAX_VALUE - 8) {
                    throw new IllegalStateException("band buffer too large; lower maxRecordsInMemory");
                }
                data = java.util.Arrays.copyOf(data, (int) grown);
            }
            System.arraycopy(sig, from, data, at, hashes);
            data[at + hashes] = doc;
            count++;
        }

        /** Writes the records sorted by (hashes, doc) and empties the buffer. */
        void writeSorted(Path path) throws IOException {
            int[] order = sortedOrder();
            try (var out = new LittleEndianWriter(path)) {
                for (int r : order) {
                    int at = r * stride;
                    for (int h = 0; h < hashes; h++) {
                        out.putLong(data[at + h]);
                    }
                    out.putUint32(data[at + hashes]);
                }
            }
            count = 0;
        }

        /**
         * Record indices in (hashes, doc) order: a bottom-up merge sort, stable, so equal hashes keep their
         * insertion order, which is increasing document order.
         */
        int[] sortedOrder() {
            int[] a = new int[count];
            for (int i = 0; i < count; i++) {
                a[i] = i;
            }
            int[] tmp = new int[count];
            // insertion-sort small blocks first
            final int block = 16;
            for (int lo = 0; lo < count; lo += block) {
                int hi = Math.min(lo + block, count);
                for (int i = lo + 1; i < hi; i++) {
                    int v = a[i];
                    int j = i - 1;
                    while (j >= lo && compare(a[j], v) > 0) {
                        a[j + 1] = a[j];
                        j--;
                    }
                    a[j + 1] = v;
                }
            }
            for (int width = block; width < count; width *= 2) {
                for (int lo = 0; lo < count; lo += 2 * width) {
                    int mid = Math.min(lo + width, count);
                    int hi = Math.min(lo + 2 * width, count);
                    if (mid >= hi || compare(a[mid - 1], a[mid]) <= 0) {
                        System.arraycopy(a, lo, tmp, lo, hi - lo);
                        continue;
                    }
                    int i = lo;
                    int j = mid;
                    int k = lo;
                    while (i < mid && j < hi) {
                        tmp[k++] = compare(a[i], a[j]) <= 0 ? a[i++] : a[j++];
                    }
                    while (i < mid) {
                        tmp[k++] = a[i++];
                    }
                    while (j < hi) {
                        tmp[k++] = a[j++];
                    }
                }
                int[] swap = a;
                a = tmp;
                tmp = swap;
            }
            return a;
        }

        private int compare(int x, int y) {
            int ax = x * stride;
            int ay = y * stride;
            for (int h = 0; h < hashes; h++) {
                int c = Long.compareUnsigned(data[ax + h], data[ay + h]);
                if (c != 0) {
                    return c;
                }
            }
            return Long.compare(data[ax + hashes], data[ay + hashes]);
        }
    }
}
