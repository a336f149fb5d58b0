package dev.jchat.tokenizer;

/**
 * The merge rules as a map from an adjacent pair of ids to (priority, result id), open addressing over
 * longs. Lower priority merges first.
 */
final class PairTable {
    static final long ABSENT = -1L;
    private static final long EMPTY_KEY = -1L;

    private final long[] keys;
    private final long[] values;
    private final int mask;
    private int size;

    PairTable(int expected) {
        int capacity = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        keys = new long[capacity];
        values = new long[capacity];
        java.util.Arrays.fill(keys, EMPTY_KEY);
        mask = capacity - 1;
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private static int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    /** Adds the pair unless it is already there with a lower priority; returns whether it was stored. */
    boolean putIfLower(int left, int right, int priority, int result) {
        long k = key(left, right);
        int i = slot(k) & mask;
        while (keys[i] != EMPTY_KEY) {
            if (keys[i] == k) {
                if (priority(values[i]) <= priority) {
                    return false;
                }
                values[i] = pack(priority, result);
                return true;
            }
            i = (i + 1) & mask;
        }
        if (size * 4 >= keys.length * 3) {
            throw new IllegalStateException("pair table sized for fewer pairs");
        }
        keys[i] = k;
        values[i] = pack(priority, result);
        size++;
        return true;
    }

    /** The packed (priority, result) of the pair, or {@link #ABSENT}. */
    long get(int left, int right) {
        long k = key(left, right);
        int i = slot(k) & mask;
        long stored;
        while ((stored = keys[i]) != EMPTY_KEY) {
            if (stored == k) {
                return values[i];
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
