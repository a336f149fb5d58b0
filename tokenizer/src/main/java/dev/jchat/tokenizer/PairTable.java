package dev.jchat.tokenizer;

/**
 * The merge rules as a map from an adjacent pair of ids to (priority, result id). Open addressing with
 * key and value side by side in one array, so a lookup touches one cache line. Lower priority merges
 * first.
 */
final class PairTable {
    static final long ABSENT = -1L;
    private static final long EMPTY_KEY = -1L;

    /** Slot i: {@code slots[2i]} = left << 32 | right; {@code slots[2i+1]} = priority << 32 | result. */
    private final long[] slots;
    private final int mask;
    private int size;

    PairTable(int expected) {
        // load at most 0.7: short probe chains, and a table small enough to stay in the last-level cache
        int capacity = Math.max(16, Integer.highestOneBit((int) (expected / 0.7)) << 1);
        slots = new long[capacity * 2];
        for (int i = 0; i < slots.length; i += 2) {
            slots[i] = EMPTY_KEY;
        }
        mask = capacity - 1;
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private static int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 32);
    }

    /** Adds the pair unless it is already there with a lower priority; returns whether it was stored. */
    boolean putIfLower(int left, int right, int priority, int result) {
        long k = key(left, right);
        int i = slot(k) & mask;
        while (slots[2 * i] != EMPTY_KEY) {
            if (slots[2 * i] == k) {
                if (priority(slots[2 * i + 1]) <= priority) {
                    return false;
                }
                slots[2 * i + 1] = pack(priority, result);
                return true;
            }
            i = (i + 1) & mask;
        }
        if (size >= (mask + 1) * 0.75) {
            throw new IllegalStateException("pair table sized for fewer pairs");
        }
        slots[2 * i] = k;
        slots[2 * i + 1] = pack(priority, result);
        size++;
        return true;
    }

    /** The packed (priority, result) of the pair, or {@link #ABSENT}. */
    long get(int left, int right) {
        long k = key(left, right);
        int i = slot(k) & mask;
        long stored;
        while ((stored = slots[2 * i]) != EMPTY_KEY) {
            if (stored == k) {
                return slots[2 * i + 1];
            }
            i = (i + 1) & mask;
        }
        return ABSENT;
    }

    int size() {
        return size;
    }

    static long pack(int priority, int result) {
        return ((long) priority << 32) | (result & 0xFFFFFFFFL);
    }

    static int priority(long packed) {
        return (int) (packed >>> 32);
    }

    static int result(long packed) {
        return (int) packed;
    }
}
