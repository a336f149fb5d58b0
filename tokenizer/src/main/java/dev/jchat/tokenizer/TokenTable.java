package dev.jchat.tokenizer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Finds the id of a byte sequence without allocating. Open addressing with each slot two longs wide:
 * the first eight bytes of the token, and its id, length and hash bits. Most tokens are at most eight
 * bytes, so a lookup is one probe into one cache line and no pointer chase; longer tokens are confirmed
 * against their full bytes.
 */
final class TokenTable {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final byte[][] tokens;
    /** Slot i: {@code slots[2i]} = first 8 bytes; {@code slots[2i+1]} = (id+1) << 32 | length << 16 | hash bits. */
    private final long[] slots;
    private final int mask;

    /** {@code tokens[id]} is the byte string of id, or null where the id is unused. */
    TokenTable(byte[][] tokens) {
        this.tokens = tokens;
        int capacity = Integer.highestOneBit(Math.max(16, tokens.length * 2 - 1)) << 1;
        slots = new long[capacity * 2];
        mask = capacity - 1;
        for (int id = 0; id < tokens.length; id++) {
            byte[] t = tokens[id];
            if (t != null) {
                insert(id, t);
            }
        }
    }

    private void insert(int id, byte[] t) {
        if (get(t, 0, t.length) >= 0) {
            throw new IllegalArgumentException("token ids " + get(t, 0, t.length) + " and " + id + " have the same bytes");
        }
        if (t.length > 0xFFFF) {
            throw new IllegalArgumentException("token " + id + " is " + t.length + " bytes long; at most 65535 are supported");
        }
        int h = hash(t, 0, t.length);
        int i = h & mask;
        while (slots[2 * i + 1] != 0) {
            i = (i + 1) & mask;
        }
        slots[2 * i] = head(t, 0, t.length);
        slots[2 * i + 1] = meta(id + 1, t.length, h);
    }

    /** The id of {@code bytes[from, from + length)}, or -1. */
    int get(byte[] bytes, int from, int length) {
        if (length > 0xFFFF) {
            return -1;
        }
        int h = hash(bytes, from, length);
        long head = head(bytes, from, length);
        long wanted = meta(0, length, h);
        int i = h & mask;
        long meta;
        while ((meta = slots[2 * i + 1]) != 0) {
            if ((meta & 0xFFFF_FFFFL) == wanted && slots[2 * i] == head) {
                int id = (int) (meta >>> 32) - 1;
                if (length <= 8 || Arrays.equals(tokens[id], 0, length, bytes, from, from + length)) {
                    return id;
                }
            }
            i = (i + 1) & mask;
        }
        return -1;
    }

    private static long meta(int idPlusOne, int length, int hash) {
        return ((long) idPlusOne << 32) | ((long) length << 16) | ((hash >>> 16) & 0xFFFFL);
    }

    /** The first eight bytes, little-endian, zero-padded. */
    private static long head(byte[] bytes, int from, int length) {
        if (length >= 8 && from + 8 <= bytes.length) {
            return (long) LONGS.get(bytes, from);
        }
        long head = 0;
        for (int k = 0, n = Math.min(length, 8); k < n; k++) {
            head |= (bytes[from + k] & 0xFFL) << (8 * k);
        }
        return head;
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
