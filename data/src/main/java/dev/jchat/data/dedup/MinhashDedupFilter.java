package dev.jchat.data.dedup;

import dev.jchat.data.Document;
import dev.jchat.data.StepStats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Consumer;

/**
 * MinHash phase 4 (datatrove's {@code MinhashDedupFilter}): re-reads one task's documents, in the same order
 * as phase 1, and drops those whose index is in the task's {@code .remove} file (a task without one loses
 * nothing). Stats: {@code total}, {@code forwarded}, {@code dropped}.
 */
public final class MinhashDedupFilter {
    private final Path removeDir;

    public MinhashDedupFilter(Path removeDir) {
        this.removeDir = removeDir;
    }

    /** The task's document indices to drop, ascending (empty when it has no .remove file). */
    public int[] removals(int task) throws IOException {
        Path file = MinhashFiles.removeFile(removeDir, task);
        if (!Files.exists(file)) {
            return new int[0];
        }
        int[] out = new int[(int) (Files.size(file) / Integer.BYTES)];
        int n = 0;
        try (var in = new LittleEndianReader(file)) {
            while (in.has(Integer.BYTES)) {
                out[n++] = (int) in.getUint32();
            }
        }
        return Arrays.copyOf(out, n);
    }

    /**
     * The task's documents without the removed ones, lazily. {@code removed} (may be null) receives each
     * dropped document, as datatrove's exclusion writer does.
     */
    public Iterable<Document> filter(int task, Iterable<Document> documents, StepStats stats,
                                     Consumer<Document> removed) {
        final int[] drop;
        try {
            drop = removals(task);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return () -> new Iterator<>() {
            private final Iterator<Document> source = documents.iterator();
            private long index = -1;
            private int nextDrop = 0;
            private Document next;

            @Override
            public boolean hasNext() {
                while (next == null && source.hasNext()) {
                    Document d = source.next();
                    index++;
                    stats.increment("total");
                    if (nextDrop < drop.length && Integer.toUnsignedLong(drop[nextDrop]) == index) {
                        nextDrop++;
                        stats.increment("dropped");
                        if (removed != null) {
                            removed.accept(d);
                        }
                    } else {
                        stats.increment("forwarded");
                        next = d;
                    }
                }
                return next != null;
            }

            @Override
            public Document next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Document d = next;
                next = null;
                return d;
            }
        };
    }
}
