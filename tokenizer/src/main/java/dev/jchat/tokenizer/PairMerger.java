package dev.jchat.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The merge phase of BPE training with incremental pair counts, as HF tokenizers' trainer and nanochat's
 * rustbpe do it: count every adjacent pair once, then for each merge visit only the words that contain the
 * merged pair and apply the count changes there, instead of recounting the corpus per merge.
 *
 * <p>State, all in primitive arrays:
 * <ul>
 *   <li>words: each unique chunk of two or more bytes once, in one int array as
 *       {@code [length, count >>> 32, count & 0xFFFFFFFF, token ids...]}, named by its offset there: a word's
 *       visit then costs one cache miss. Merging shortens a word in place.</li>
 *   <li>pairs: an id per adjacent (left, right) ever seen, its count over the corpus (Σ occurrences ×
 *       word count), and the words it occurred in ({@code pairWords[p]}, possibly stale: a word listed
 *       there may have lost the pair since).</li>
 *   <li>a max-queue of (count, pair) with lazy invalidation: an entry's count is an upper bound of the
 *       pair's current count, because a pair's count only grows in the merge that creates its newer token.
 *       A popped entry whose count is stale is pushed back with the current count.</li>
 * </ul>
 * Ties go to the smallest (left, right), so the merges depend only on the chunk counts.
 */
final class PairMerger {
    /** Merges done between two progress reports. */
    private static final int REPORT_EVERY = 64;
    private static final int HEADER = 3;

    private final int[] words;
    /** The pairs (x, left), (right, x), (x, new), (new, x) of the current merge, by x. */
    private Neighbours beforeLeft;
    private Neighbours rightAfter;
    private Neighbours beforeNew;
    private Neighbours newAfter;

    private final PairIndex index = new PairIndex();
    private long[] pairKey = new long[1 << 12];
    private long[] pairCount = new long[1 << 12];
    private int[][] pairWords = new int[1 << 12][];
    private int[] pairWordsSize = new int[1 << 12];
    private int pairs;
    private final PairQueue queue = new PairQueue();

    /** Takes the chunks of two or more bytes as words of byte ids. */
    PairMerger(ChunkCounts chunks) {
        long size = 0;
        for (int e = chunks.first(); e < chunks.end(); e = chunks.next(e)) {
            int length = chunks.length(e);
            size += length >= 2 ? HEADER + length : 0;
        }
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException("unique chunks hold more than 2^31 bytes: lower the unique-chunk cap");
        }
        words = new int[(int) size];
        byte[] arena = chunks.arena();
        int w = 0;
        for (int e = chunks.first(); e < chunks.end(); e = chunks.next(e)) {
            int length = chunks.length(e);
            if (length < 2) {
                continue;
            }
            long count = chunks.count(e);
            words[w] = length;
            words[w + 1] = (int) (count >>> 32);
            words[w + 2] = (int) count;
            int from = chunks.bytesFrom(e);
            for (int i = 0; i < length; i++) {
                words[w + HEADER + i] = arena[from + i] & 0xFF;
            }
            w += HEADER + length;
        }
    }

    private long count(int word) {
        return ((long) words[word + 1] << 32) | (words[word + 2] & 0xFFFFFFFFL);
    }

    /** Runs up to {@code maxMerges} merges; ids of new tokens start at {@code firstId}. */
    List<Merge> merge(int maxMerges, int firstId, BpeTrainer.Progress progress) {
        countInitialPairs();
        int tokens = firstId + maxMerges;
        beforeLeft = new Neighbours(tokens, true);
        rightAfter = new Neighbours(tokens, false);
        beforeNew = new Neighbours(tokens, true);
        newAfter = new Neighbours(tokens, false);
        var merges = new ArrayList<Merge>(maxMerges);
        while (merges.size() < maxMerges && !queue.isEmpty()) {
            long queued = queue.topCount();
            int p = queue.poll();
            if (pairCount[p] != queued) {
                if (pairCount[p] > 0) {
                    queue.push(pairCount[p], p);
                }
                continue;
            }
            int left = (int) (pairKey[p] >>> 32);
            int right = (int) pairKey[p];
            int id = firstId + merges.size();
            merges.add(new Merge(left, right, id));
            int firstNewPair = pairs;
            beforeLeft.reset(left);
            rightAfter.reset(right);
            beforeNew.reset(id);
            newAfter.reset(id);
            int[] listed = pairWords[p];
            int n = pairWordsSize[p];
            for (int i = 0; i < n; i++) {
                mergeInWord(listed[i], left, right, id);
            }
            pairCount[p] = 0;
            pairWords[p] = null;
            // Every pair whose count grew in this merge contains the new token, so it was created just now.
            for (int q = firstNewPair; q < pairs; q++) {
                if (pairCount[q] > 0) {
                    queue.push(pairCount[q], q);
                }
            }
            if (merges.size() % REPORT_EVERY == 0) {
                progress.update("merge", merges.size(), maxMerges);
            }
        }
        progress.update("merge", merges.size(), maxMerges);
        return merges;
    }

    private void countInitialPairs() {
        for (int w = 0; w < words.length; w += HEADER + words[w]) {
            long count = count(w);
            int end = w + HEADER + words[w];
            for (int i = w + HEADER; i + 1 < end; i++) {
                long key = key(words[i], words[i + 1]);
                int p = index.get(key);
                addToPair(p >= 0 ? p : newPair(key), count, w);
            }
        }
        for (int p = 0; p < pairs; p++) {
            queue.push(pairCount[p], p);
        }
    }

    /**
     * Replaces each (left, right) of word {@code w}, left to right without overlap, by {@code id}, and
     * moves the word's count from the pairs it broke to the pairs it made (except from (left, right)
     * itself, whose count is cleared anyway). The write position {@code out} trails the read position
     * {@code in}, so {@code words[out - 1]} is the already merged left neighbour and {@code words[in + 2]}
     * the not yet visited right one.
     */
    private void mergeInWord(int w, int left, int right, int id) {
        int from = w + HEADER;
        int end = from + words[w];
        long count = count(w);
        int out = from;
        int in = from;
        while (in < end) {
            if (in + 1 < end && words[in] == left && words[in + 1] == right) {
                if (out > from) {
                    int before = words[out - 1];
                    if (before != left || left != right) {
                        subtractFromPair(beforeLeft.pair(before), count);
                    }
                    addToPair(beforeNew.pair(before), count, w);
                }
                if (in + 2 < end) {
                    int after = words[in + 2];
                    if (after != right || left != right) {
                        subtractFromPair(rightAfter.pair(after), count);
                    }
                    addToPair(newAfter.pair(after), count, w);
                }
                words[out++] = id;
                in += 2;
            } else {
                words[out++] = words[in++];
            }
        }
        words[w] = out - from;
    }

    private void addToPair(int p, long count, int word) {
        pairCount[p] += count;
        int n = pairWordsSize[p];
        int[] listed = pairWords[p];
        if (listed == null) {
            listed = pairWords[p] = new int[4];
        } else if (listed[n - 1] == word) {
            return;
        } else if (n == listed.length) {
            listed = pairWords[p] = Arrays.copyOf(listed, n * 2);
        }
        listed[n] = word;
        pairWordsSize[p] = n + 1;
    }

    private void subtractFromPair(int p, long count) {
        if ((pairCount[p] -= count) == 0) {
            // No word holds the pair any more, and it can never come back: free its word list.
            pairWords[p] = null;
            pairWordsSize[p] = 0;
        }
    }

    private int newPair(long key) {
        if (pairs == pairKey.length) {
            int capacity = pairs * 2;
            pairKey = Arrays.copyOf(pairKey, capacity);
            pairCount = Arrays.copyOf(pairCount, capacity);
            pairWords = Arrays.copyOf(pairWords, capacity);
            pairWordsSize = Arrays.copyOf(pairWordsSize, capacity);
        }
        int p = pairs++;
        pairKey[p] = key;
        index.put(key, p);
        return p;
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | right;
    }

    /**
     * The pairs of one merge that share a token, by their other token x: (x, fixed) or (fixed, x). Caches
     * the hash lookup (creating the pair if new), since one merge meets the same few neighbours in many
     * words. A slot is valid when its stamp is the current merge's.
     */
    private final class Neighbours {
        private final boolean xOnLeft;
        private final int[] pairOf;
        private final int[] stamp;
        private int fixed;
        private int current;

        Neighbours(int tokens, boolean xOnLeft) {
            this.xOnLeft = xOnLeft;
            this.pairOf = new int[tokens];
            this.stamp = new int[tokens];
        }

        void reset(int fixedToken) {
            fixed = fixedToken;
            current++;
        }

        int pair(int x) {
            if (stamp[x] == current) {
                return pairOf[x];
            }
            long key = xOnLeft ? key(x, fixed) : key(fixed, x);
            int p = index.get(key);
            if (p < 0) {
                p = newPair(key);
            }
            stamp[x] = current;
            pairOf[x] = p;
            return p;
        }
    }

    /** Pair key → pair id, open addressing; a slot is two adjacent longs (key, id), one cache line. */
    private static final class PairIndex {
        private static final long EMPTY = -1L;
        private long[] table = newTable(1 << 13);
        private int mask = table.length / 2 - 1;
        private int size;

        int get(long key) {
            int i = slot(key) & mask;
            long k;
            while ((k = table[2 * i]) != EMPTY) {
                if (k == key) {
                    return (int) table[2 * i + 1];
                }
                i = (i + 1) & mask;
            }
            return -1;
        }

        void put(long key, int id) {
            if (++size * 4 > table.length) {
                grow();
            }
            insert(table, mask, key, id);
        }

        private static void insert(long[] table, int mask, long key, long id) {
            int i = slot(key) & mask;
            while (table[2 * i] != EMPTY) {
                i = (i + 1) & mask;
            }
            table[2 * i] = key;
            table[2 * i + 1] = id;
        }

        private void grow() {
            long[] old = table;
            table = newTable(old.length * 2);
            mask = table.length / 2 - 1;
            for (int j = 0; j < old.length; j += 2) {
                if (old[j] != EMPTY) {
                    insert(table, mask, old[j], old[j + 1]);
                }
            }
        }

        private static long[] newTable(int length) {
            long[] table = new long[length];
            Arrays.fill(table, EMPTY);
            return table;
        }

        private static int slot(long key) {
            long h = key * 0x9E3779B97F4A7C15L;
            return (int) (h ^ (h >>> 32));
        }
    }

    /** A binary max-heap of (count, pair id): highest count first, then smallest pair key. */
    private final class PairQueue {
        private long[] counts = new long[1 << 12];
        private int[] ids = new int[1 << 12];
        private int size;

        boolean isEmpty() {
            return size == 0;
        }

        long topCount() {
            return counts[0];
        }

        void push(long count, int id) {
            if (size == counts.length) {
                counts = Arrays.copyOf(counts, size * 2);
                ids = Arrays.copyOf(ids, size * 2);
            }
            int i = size++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (!before(count, id, counts[parent], ids[parent])) {
                    break;
                }
                counts[i] = counts[parent];
                ids[i] = ids[parent];
                i = parent;
            }
            counts[i] = count;
            ids[i] = id;
        }

        int poll() {
            int top = ids[0];
            long lastCount = counts[--size];
            int lastId = ids[size];
            int i = 0;
            int half = size >>> 1;
            while (i < half) {
                int child = 2 * i + 1;
                if (child + 1 < size && before(counts[child + 1], ids[child + 1], counts[child], ids[child])) {
                    child++;
                }
                if (!before(counts[child], ids[child], lastCount, lastId)) {
                    break;
                }
                counts[i] = counts[child];
                ids[i] = ids[child];
                i = child;
            }
            counts[i] = lastCount;
            ids[i] = lastId;
            return top;
        }

        private boolean before(long countA, int a, long countB, int b) {
            return countA != countB ? countA > countB : pairKey[a] < pairKey[b];
        }
    }
}
