package dev.jchat.model.data;

import java.util.List;

/**
 * Validation batches: the val shards in order, cut into windows of seqLen + 1 tokens every seqLen tokens
 * (the train layout, unshuffled), so every evaluation sees the same tokens. Batch {@code i} holds windows
 * {@code i·batchSize ..}; windows that do not fill a last batch are left out. Safe to share between threads.
 */
public final class ValWindows {
    private final List<TokenShard> shards;
    private final int seqLen;
    /** firstWindow[s]: index of shard s's first window; the last entry is the total. */
    private final long[] firstWindow;

    public ValWindows(List<TokenShard> shards, int seqLen) {
        if (seqLen < 1) {
            throw new IllegalArgumentException("seqLen must be positive, got " + seqLen);
        }
        this.shards = List.copyOf(shards);
        this.seqLen = seqLen;
        this.firstWindow = new long[shards.size() + 1];
        for (int s = 0; s < shards.size(); s++) {
            long n = shards.get(s).size();
            firstWindow[s + 1] = firstWindow[s] + (n > seqLen ? (n - 1) / seqLen : 0);
        }
    }

    /** Windows in all val shards. */
    public long windows() {
        return firstWindow[shards.size()];
    }

    /** Full batches of {@code batchSize} windows. */
    public long batches(int batchSize) {
        return windows() / batchSize;
    }

    /** Batch number {@code index} (from 0) of size {@code batchSize}. */
    public Batch batch(long index, int batchSize) {
        if (index < 0 || index >= batches(batchSize)) {
            throw new IndexOutOfBoundsException("val batch " + index + " of " + batches(batchSize) + " (batch size "
                    + batchSize + ", " + windows() + " windows of seqLen " + seqLen + ")");
        }
        var batch = new Batch(batchSize, seqLen, new int[batchSize * seqLen], new int[batchSize * seqLen]);
        int shard = 0;
        for (int row = 0; row < batchSize; row++) {
            long window = index * batchSize + row;
            while (firstWindow[shard + 1] <= window) {
                shard++;
            }
            batch.fill(row, shards.get(shard), (window - firstWindow[shard]) * seqLen);
        }
        return batch;
    }
}
