package dev.jchat.tokenizer;

import java.util.Arrays;

/**
 * Remembers how recent pieces that are not single tokens were merged. Real text repeats its words
 * (Zipf), and merging a piece costs dozens of table lookups, so a small cache per thread saves most of
 * them. Two-way set associative: a new entry goes to the front of its set and pushes the older one to the
 * back. Merging is a pure function of the bytes, so the cache never changes a result.
 */
final class PieceCache {
    /** Longer pieces are rare and not worth holding. */
    static final int MAX_PIECE = 64;
    private static final int SETS = 1 << 15;

    private final byte[][] keys = new byte[2 * SETS][];
    private final int[][] values = new int[2 * SETS][];

    /** The ids of the piece, or null. */
    int[] get(byte[] bytes, int length, int hash) {
        int front = 2 * (hash & (SETS - 1));
        for (int slot = front; slot < front + 2; slot++) {
            byte[] key = keys[slot];
            if (key != null && Arrays.equals(key, 0, key.length, bytes, 0, length)) {
                return values[slot];
            }
        }
        return null;
    }

    /** Stores the ids {@code out[from..]} for the piece. */
    void put(byte[] bytes, int length, int hash, IntList out, int from) {
        int front = 2 * (hash & (SETS - 1));
        int[] ids = new int[out.size() - from];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = out.get(from + i);
        }
        keys[front + 1] = keys[front];
        values[front + 1] = values[front];
        keys[front] = Arrays.copyOf(bytes, length);
        values[front] = ids;
    }
}
