package dev.jchat.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Encodes one pre-tokenized piece (its UTF-8 bytes) with byte-pair merges: start from single bytes and
 * repeatedly merge the adjacent pair of lowest priority, leftmost first, until no pair merges.
 *
 * <p>Two rule sets fit this one loop. tiktoken's ranks: any adjacent pair whose concatenation is a token
 * merges, with the token's rank as priority. HF's merges list: only the listed pairs merge, in list order.
 * A piece that is itself a token is returned as that token when the rules allow (always for tiktoken and
 * for HF's {@code ignore_merges}; otherwise only for tokens that merging their own bytes rebuilds).
 */
final class BytePairEncoder {
    /** Pieces up to this many bytes use the quadratic scan, which beats a heap on short pieces. */
    private static final int SCAN_LIMIT = 64;
    private static final int NONE = Integer.MAX_VALUE;

    private final byte[][] tokens;
    private final TokenTable table;
    private final PairTable pairs;
    private final List<Merge> merges;
    private final int[] byteIds = new int[256];
    /** The merge of each pair of single bytes, indexed by {@code first << 8 | second}: half of all lookups, kept dense. */
    private final long[] bytePairs = new long[1 << 16];
    private final boolean[] wholeTokenShortcut;

    private BytePairEncoder(byte[][] tokens, TokenTable table, PairTable pairs, List<Merge> merges) {
        this.tokens = tokens;
        this.table = table;
        this.pairs = pairs;
        this.merges = List.copyOf(merges);
        this.wholeTokenShortcut = new boolean[tokens.length];
        byte[] single = new byte[1];
        for (int b = 0; b < 256; b++) {
            single[0] = (byte) b;
            byteIds[b] = table.get(single, 0, 1);
            if (byteIds[b] < 0) {
                throw new IllegalArgumentException(
                        "not a byte-level vocabulary: no token for the single byte 0x%02X".formatted(b));
            }
        }
        for (int first = 0; first < 256; first++) {
            for (int second = 0; second < 256; second++) {
                bytePairs[first << 8 | second] = pairs.get(byteIds[first], byteIds[second]);
            }
        }
    }

    /** tiktoken semantics: {@code tokens[rank]} are the ranked byte strings (null for unused ranks). */
    static BytePairEncoder fromRanks(byte[][] tokens) {
        var table = new TokenTable(tokens);
        // a pair's bytes determine its concatenation, so every split found is a distinct pair
        var merges = new ArrayList<Merge>();
        for (int id = 0; id < tokens.length; id++) {
            byte[] t = tokens[id];
            for (int k = 1; t != null && k < t.length; k++) {
                int left = table.get(t, 0, k);
                int right = table.get(t, k, t.length - k);
                if (left >= 0 && right >= 0) {
                    merges.add(new Merge(left, right, id));
                }
            }
        }
        var pairs = new PairTable(merges.size());
        for (Merge m : merges) {
            pairs.putIfLower(m.left(), m.right(), m.result(), m.result());
        }
        var encoder = new BytePairEncoder(tokens, table, pairs, merges);
        Arrays.fill(encoder.wholeTokenShortcut, true);
        return encoder;
    }

    /**
     * HF semantics: only {@code merges} merge, earlier first. With {@code ignoreMerges} a piece that is a
     * token is always that token (HF's flag of that name, as Llama 3 uses).
     */
    static BytePairEncoder fromMerges(byte[][] tokens, List<Merge> merges, boolean ignoreMerges) {
        var table = new TokenTable(tokens);
        var pairs = new PairTable(merges.size());
        var kept = new ArrayList<Merge>(merges.size());
        for (int i = 0; i < merges.size(); i++) {
            Merge m = merges.get(i);
            checkMerge(tokens, i, m);
            if (pairs.putIfLower(m.left(), m.right(), i, m.result())) {
                kept.add(m);
            }
        }
        var encoder = new BytePairEncoder(tokens, table, pairs, kept);
        var scratch = new Scratch();
        for (int id = 0; id < tokens.length; id++) {
            byte[] t = tokens[id];
            if (t == null) {
                continue;
            }
            if (ignoreMerges || t.length == 1) {
                encoder.wholeTokenShortcut[id] = true;
                continue;
            }
            var out = new IntList(2);
            encoder.merge(t, t.length, out, scratch);
            encoder.wholeTokenShortcut[id] = out.size() == 1 && out.get(0) == id;
        }
        return encoder;
    }

    private static void checkMerge(byte[][] tokens, int index, Merge m) {
        for (int id : new int[] {m.left(), m.right(), m.result()}) {
            if (id < 0 || id >= tokens.length || tokens[id] == null) {
                throw new IllegalArgumentException("merge " + index + " uses unknown token id " + id);
            }
        }
        byte[] l = tokens[m.left()];
        byte[] r = tokens[m.right()];
        byte[] joined = Arrays.copyOf(l, l.length + r.length);
        System.arraycopy(r, 0, joined, l.length, r.length);
        if (!Arrays.equals(joined, tokens[m.result()])) {
            throw new IllegalArgumentException("merge " + index + " (" + m.left() + " + " + m.right()
                    + ") does not spell token " + m.result());
        }
    }

    byte[][] tokens() {
        return tokens;
    }

    List<Merge> merges() {
        return merges;
    }

    /** The id of {@code bytes[0, length)} as a whole token, or -1. */
    int tokenId(byte[] bytes, int length) {
        return table.get(bytes, 0, length);
    }

    /** Appends the ids of the piece {@code bytes[0, length)} to {@code out}. */
    void encode(byte[] bytes, int length, IntList out, Scratch scratch) {
        if (length == 1) {
            out.add(byteIds[bytes[0] & 0xFF]);
            return;
        }
        int whole = table.get(bytes, 0, length);
        if (whole >= 0 && wholeTokenShortcut[whole]) {
            out.add(whole);
            return;
        }
        if (length > PieceCache.MAX_PIECE) {
            merge(bytes, length, out, scratch);
            return;
        }
        int hash = TokenTable.hash(bytes, 0, length);
        int[] cached = scratch.cache.get(bytes, length, hash);
        if (cached == null) {
            int before = out.size();
            merge(bytes, length, out, scratch);
            scratch.cache.put(bytes, length, hash, out, before);
        } else {
            for (int id : cached) {
                out.add(id);
            }
        }
    }

    private void merge(byte[] bytes, int n, IntList out, Scratch s) {
        if (n <= SCAN_LIMIT) {
            mergeByScan(bytes, n, out, s);
        } else {
            mergeByHeap(bytes, n, out, s);
        }
    }

    private void mergeByScan(byte[] bytes, int n, IntList out, Scratch s) {
        int[] ids = s.ids(n);
        int[] priority = s.priorities(n);
        int[] result = s.results(n);
        for (int i = 0; i < n; i++) {
            ids[i] = byteIds[bytes[i] & 0xFF];
        }
        for (int i = 0; i + 1 < n; i++) {
            long found = bytePairs[(bytes[i] & 0xFF) << 8 | (bytes[i + 1] & 0xFF)];
            priority[i] = found == PairTable.ABSENT ? NONE : PairTable.priority(found);
            result[i] = PairTable.result(found);
        }
        while (n > 1) {
            int best = 0;
            int bestPriority = priority[0];
            for (int i = 1; i + 1 < n; i++) {
                if (priority[i] < bestPriority) {
                    bestPriority = priority[i];
                    best = i;
                }
            }
            if (bestPriority == NONE) {
                break;
            }
            ids[best] = result[best];
            int tail = n - best - 2;
            System.arraycopy(ids, best + 2, ids, best + 1, tail);
            System.arraycopy(priority, best + 2, priority, best + 1, tail);
            System.arraycopy(result, best + 2, result, best + 1, tail);
            n--;
            if (best + 1 < n) {
                lookUp(ids, best, priority, result);
            } else {
                priority[best] = NONE;
            }
            if (best > 0) {
                lookUp(ids, best - 1, priority, result);
            }
        }
        for (int i = 0; i < n; i++) {
            out.add(ids[i]);
        }
    }

    private void lookUp(int[] ids, int i, int[] priority, int[] result) {
        long found = pairs.get(ids[i], ids[i + 1]);
        if (found == PairTable.ABSENT) {
            priority[i] = NONE;
        } else {
            priority[i] = PairTable.priority(found);
            result[i] = PairTable.result(found);
        }
    }

    /** Long pieces (whitespace runs, long words): a linked list of parts and a heap of candidate merges. */
    private void mergeByHeap(byte[] bytes, int n, IntList out, Scratch s) {
        int[] ids = s.ids(n);
        int[] next = s.priorities(n);
        int[] prev = s.results(n);
        var heap = s.heap(n);
        for (int i = 0; i < n; i++) {
            ids[i] = byteIds[bytes[i] & 0xFF];
            next[i] = i + 1 < n ? i + 1 : -1;
            prev[i] = i - 1;
        }
        for (int i = 0; i + 1 < n; i++) {
            offer(heap, ids, i, i + 1);
        }
        while (!heap.isEmpty()) {
            long entry = heap.poll();
            int pos = (int) entry;
            int priority = (int) (entry >>> 32);
            int right = ids[pos] < 0 ? -1 : next[pos];
            if (right < 0) {
                continue;
            }
            long found = pairs.get(ids[pos], ids[right]);
            if (found == PairTable.ABSENT || PairTable.priority(found) != priority) {
                continue;
            }
            ids[pos] = PairTable.result(found);
            ids[right] = -1;
            next[pos] = next[right];
            if (next[pos] >= 0) {
                prev[next[pos]] = pos;
                offer(heap, ids, pos, next[pos]);
            }
            if (prev[pos] >= 0) {
                offer(heap, ids, prev[pos], pos);
            }
        }
        for (int i = 0; i >= 0; i = next[i]) {
            out.add(ids[i]);
        }
    }

    private void offer(LongHeap heap, int[] ids, int left, int right) {
        long found = pairs.get(ids[left], ids[right]);
        if (found != PairTable.ABSENT) {
            heap.add(((long) PairTable.priority(found) << 32) | left);
        }
    }

    /** Working memory of one thread, reused across the pieces of its texts. */
    static final class Scratch {
        final PieceCache cache = new PieceCache();
        private int[] ids = new int[64];
        private int[] priorities = new int[64];
        private int[] results = new int[64];
        private LongHeap heap;

        int[] ids(int n) {
            return ids.length >= n ? ids : (ids = new int[Math.max(n, ids.length * 2)]);
        }

        int[] priorities(int n) {
            return priorities.length >= n ? priorities : (priorities = new int[Math.max(n, priorities.length * 2)]);
        }

        int[] results(int n) {
            return results.length >= n ? results : (results = new int[Math.max(n, results.length * 2)]);
        }

        LongHeap heap(int n) {
            if (heap == null) {
                heap = new LongHeap(n);
            }
            heap.clear();
            return heap;
        }
    }
}
