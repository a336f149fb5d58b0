package dev.jchat.data.dedup;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;

/**
 * One sorted signature file read record by record, for k-way merges. Records compare as datatrove's
 * {@code HashSig} does: band hashes (unsigned, lexicographic), then file, then document.
 */
final class SigStream implements Closeable {
    final int file;
    final long[] sig;
    long doc;
    private final LittleEndianReader in;
    private final int recordBytes;

    SigStream(int file, Path path, int hashesPerBucket) throws IOException {
        this.file = file;
        this.sig = new long[hashesPerBucket];
        this.in = new LittleEndianReader(path);
        this.recordBytes = hashesPerBucket * Long.BYTES + Integer.BYTES;
    }

    /** Reads the next record into {@link #sig} and {@link #doc}; false at the end of the file. */
    boolean advance() throws IOException {
        if (!in.has(recordBytes)) {
            return false;
        }
        for (int i = 0; i < sig.length; i++) {
            sig[i] = in.getLong();
        }
        doc = in.getUint32();
        return true;
    }

    static int compare(SigStream x, SigStream y) {
        int c = Arrays.compareUnsigned(x.sig, y.sig);
        if (c != 0) {
            return c;
        }
        c = Integer.compare(x.file, y.file);
        return c != 0 ? c : Long.compare(x.doc, y.doc);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /** Visits every record of the streams in merged order (a stream's fields hold the current record). */
    static void merge(List<SigStream> streams, RecordVisitor visitor) throws IOException {
        var heap = new PriorityQueue<SigStream>(Math.max(1, streams.size()), SigStream::compare);
        for (SigStream s : streams) {
            if (s.advance()) {
                heap.add(s);
            }
        }
        while (!heap.isEmpty()) {
            SigStream top = heap.poll();
            visitor.visit(top);
            if (top.advance()) {
                heap.add(top);
            }
        }
    }

    interface RecordVisitor {
        void visit(SigStream current) throws IOException;
    }
}
