package dev.jchat.tokenizer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * How often each pre-tokenized chunk occurred: a hash map from byte strings to counts without an object
 * per entry. Entries sit one after another in one byte array, the arena, each as
 * {@code [count: 8 bytes][length: 4 bytes][the chunk's bytes]}; an entry is named by its offset there. The
 * open-addressing slots hold {@code hash << 32 | offset}, so a lookup touches one slot and one arena
 * entry: two cache misses on a table far larger than the caches, which is what counting spends its time
 * on.
 *
 * <p>Memory per entry: its bytes + 12 in the arena + 16 in slots (two longs at load ≤ 1/2).
 */
final class ChunkCounts {
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int HEADER = 12;
    private static final long EMPTY = -1L;

    private byte[] arena = new byte[1 << 16];
    private int arenaSize;
    private int size;
    private long[] slots = newSlots(1 << 11);
    private int mask = slots.length - 1;

    /** Distinct chunks. */
    int size() {
        return size;
    }

    /** The offset of the first entry; entries run up to {@link #end()}. */
    int first() {
        return 0;
    }

    int end() {
        return arenaSize;
    }

    /** The offset of the entry after the one at {@code entry}. */
    int next(int entry) {
        return bytesFrom(entry) + length(entry);
    }

    long count(int entry) {
        return (long) LONG.get(arena, entry);
    }

    int length(int entry) {
        return (int) INT.get(arena, entry + 8);
    }

    /** Where the entry's chunk starts in {@link #arena()}. */
    int bytesFrom(int entry) {
        return entry + HEADER;
    }

    byte[] arena() {
        return arena;
    }

    /** Adds {@code count} occurrences of the chunk {@code bytes[from, from + length)}. */
    void add(byte[] bytes, int from, int length, long count) {
        int h = hash(bytes, from, length);
        int i = h & mask;
        long slot;
        while ((slot = slots[i]) != EMPTY) {
            int entry = (int) slot;
            if ((int) (slot >>> 32) == h && length(entry) == length
                    && equal(arena, entry + HEADER, bytes, from, length)) {
                LONG.set(arena, entry, count(entry) + count);
                return;
            }
            i = (i + 1) & mask;
        }
        slots[i] = ((long) h << 32) | append(bytes, from, length, count);
        if (++size * 2 > slots.length) {
            rehash(slots.length * 2);
        }
    }

    /** Adds every entry of {@code other}. */
    void addAll(ChunkCounts other) {
        for (int e = other.first(); e < other.end(); e = other.next(e)) {
            add(other.arena, other.bytesFrom(e), other.length(e), other.count(e));
        }
    }

    /** Sum of all counts. */
    long occurrences() {
        long total = 0;
        for (int e = first(); e < end(); e = next(e)) {
            total += count(e);
        }
        return total;
    }

    /**
     * Keeps at most {@code maxEntries} entries by dropping every entry whose count is at or below a
     * threshold, the lowest that leaves few enough. Which entries go depends only on the counts, not on the
     * insertion order. Returns what was dropped.
     */
    Dropped pruneTo(int maxEntries) {
        if (size <= maxEntries) {
            return new Dropped(0, 0);
        }
        long[] sorted = new long[size];
        int n = 0;
        for (int e = first(); e < end(); e = next(e)) {
            sorted[n++] = count(e);
        }
        Arrays.sort(sorted);
        long threshold = sorted[size - maxEntries - 1];
        var kept = new ChunkCounts();
        long droppedOccurrences = 0;
        for (int e = first(); e < end(); e = next(e)) {
            if (count(e) > threshold) {
                kept.add(arena, bytesFrom(e), length(e), count(e));
            } else {
                droppedOccurrences += count(e);
            }
        }
        var dropped = new Dropped(size - kept.size, droppedOccurrences);
        replaceWith(kept);
        return dropped;
    }

    /** Empties the table and lets its memory go. */
    void clear() {
        replaceWith(new ChunkCounts());
    }

    /** Chunks (unique byte strings) and their occurrences removed by pruning. */
    record Dropped(long chunks, long occurrences) {
        Dropped plus(Dropped other) {
            return new Dropped(chunks + other.chunks, occurrences + other.occurrences);
        }
    }

    private void replaceWith(ChunkCounts other) {
        arena = other.arena;
        arenaSize = other.arenaSize;
        size = other.size;
        slots = other.slots;
        mask = other.mask;
    }

    private int append(byte[] bytes, int from, int length, long count) {
        long needed = (long) arenaSize + HEADER + length;
        if (needed + 8 > arena.length) { // 8 spare bytes: the last entry's tail is one read too
            long capacity = Math.max((long) arena.length * 2, needed + 8);
            if (capacity > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("unique chunks exceed 2 GB of bytes: lower the unique-chunk cap"
                        + " or the per-document character cap");
            }
            arena = Arrays.copyOf(arena, (int) capacity);
        }
        int entry = arenaSize;
        LONG.set(arena, entry, count);
        INT.set(arena, entry + 8, length);
        System.arraycopy(bytes, from, arena, entry + HEADER, length);
        arenaSize = (int) needed;
        return entry;
    }

    private void rehash(int capacity) {
        long[] old = slots;
        slots = newSlots(capacity);
        mask = capacity - 1;
        for (long slot : old) {
            if (slot != EMPTY) {
                int i = (int) (slot >>> 32) & mask;
                while (slots[i] != EMPTY) {
                    i = (i + 1) & mask;
                }
                slots[i] = slot;
            }
        }
    }

    /**
     * Eight bytes at a time, with a full avalanche at the end (murmur3's finaliser) so that every input
     * byte reaches the low bits that pick the slot.
     */
    private static int hash(byte[] bytes, int from, int length) {
        long h = 0x9E3779B97F4A7C15L ^ length;
        int i = from;
        int end = from + length;
        for (; i + 8 <= end; i += 8) {
            h = Long.rotateLeft(h ^ (long) LONG.get(bytes, i), 29) * 0xBF58476D1CE4E5B9L;
        }
        h ^= tail(bytes, i, end - i);
        h = (h ^ (h >>> 33)) * 0xFF51AFD7ED558CCDL;
        h = (h ^ (h >>> 33)) * 0xC4CEB9FE1A85EC53L;
        return (int) (h ^ (h >>> 33));
    }

    private static boolean equal(byte[] a, int aFrom, byte[] b, int bFrom, int length) {
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            if ((long) LONG.get(a, aFrom + i) != (long) LONG.get(b, bFrom + i)) {
                return false;
            }
        }
        return tail(a, aFrom + i, length - i) == tail(b, bFrom + i, length - i);
    }

    /**
     * The last {@code n < 8} bytes of a chunk as a little-endian long: one masked read where the array
     * has room past them (chunks are mostly a few bytes, so this is most of the hashing and comparing).
     */
    private static long tail(byte[] bytes, int from, int n) {
        if (from + 8 <= bytes.length) {
            return (long) LONG.get(bytes, from) & ((1L << (n << 3)) - 1);
        }
        long tail = 0;
        for (int k = 0; k < n; k++) {
            tail |= (bytes[from + k] & 0xFFL) << (k << 3);
        }
        return tail;
    }

    private static long[] newSlots(int capacity) {
        long[] slots = new long[capacity];
        Arrays.fill(slots, EMPTY);
        return slots;
    }
}
