package dev.jchat.tokenizer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Finds the id of a byte sequence: open addressing over the token byte strings themselves, hashed eight
 * bytes at a time, so a lookup of a piece that sits in a scratch buffer allocates nothing.
 */
final class TokenTable {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final byte[][] tokens;
    private final int[] slots; // token id + 1, 0 = empty
    private final int[] slotHashes;
    private final int mask;

    /** {@code tokens[id]} is the byte string of id, or null where the id is unused. */
    TokenTable(byte[][] tokens) {
        this.tokens = tokens;
        int capacity = Integer.highestOneBit(Math.max(16, tokens.length * 2 - 1)) << 1;
        slots = new int[capacity];
        slotHashes = new int[capacity];
        mask = capacity - 1;
        for (int id = 0; id < tokens.length; id++) {
            byte[] t = tokens[id];
            if (t != null) {
                insert(id, t);
            }
        }
    }

    private void insert(int id, byte[] t) {
        int h = hash(t, 0, t.length);
        int i = h & mask;
        while (slots[i] != 0) {
            byte[] other = tokens[slots[i] - 1];
            if (slotHashes[i] == h && Arrays.equals(other, t)) {
                throw new IllegalArgumentException("token ids " + (slots[i] - 1) + " and " + id + " have the same bytes");
            }
            i = (i + 1) & mask;
        }
        slots[i] = id + 1;
        slotHashes[i] = h;
    }

    /** The id of {@code bytes[from, from + length)}, or -1. */
    int get(byte[] bytes, int from, int length) {
        int h = hash(bytes, from, length);
        int i = h & mask;
        int s;
        while ((s = slots[i]) != 0) {
            if (slotHashes[i] == h) {
                byte[] t = tokens[s - 1];
                if (Arrays.equals(t, 0, t.length, bytes, from, from + length)) {
                    return s - 1;
                }
            }
            i = (i + 1) & mask;
        }
        return -1;
    }

    static int hash(byte[] bytes, int from, int length) {
        long h = 0x9E3779B97F4A7C15L ^ length;
        int i = from;
        int end = from + length;
        for (; i + 8 <= end; i += 8) {
            h = (h ^ (long) LONGS.get(bytes, i)) * 0xBF58476D1CE4E5B9L;
            h ^= h >>> 31;
        }
        long tail = 0;
        for (int shift = 0; i < end; i++, shift += 8) {
            tail |= (bytes[i] & 0xFFL) << shift;
        }
        h = (h ^ tail) * 0x94D049BB133111EBL;
        h ^= h >>> 29;
        return (int) h;
    }
}
