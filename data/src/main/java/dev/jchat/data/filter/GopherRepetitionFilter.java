package dev.jchat.data.filter;

import dev.jchat.data.text.WordTokenizer;
import dev.jchat.data.text.PythonStrings;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * Gopher's repetition rules (Rae et al. 2021, table A1) as datatrove v0.2.0's {@code GopherRepetitionFilter}
 * runs them, in this order; "duplicate" means the second and later occurrences, and character fractions are
 * over {@code len(text)} in code points:
 *
 * <ul>
 *   <li>paragraphs ({@code text.strip()} split at runs of two or more newlines): duplicates / paragraphs
 *       &gt; 0.30 → {@code dup_para_frac}; duplicate characters &gt; 0.20 → {@code dup_para_char_frac};
 *   <li>lines ({@code text.splitlines()}; HEAD: {@code re.split("\n+")}): &gt; 0.30 → {@code dup_line_frac},
 *       characters &gt; 0.20 → {@code dup_line_char_frac};
 *   <li>on NLTK word tokens, the most frequent n-gram (words joined by spaces; the first seen wins a tie):
 *       its length × count &gt; 0.20, 0.18, 0.16 of the text for n = 2, 3, 4 → {@code top_<n>_gram};
 *   <li>a greedy scan for repeated n-grams, n = 5 … 10 (words joined <em>without</em> spaces, as datatrove
 *       does; a repeat adds its length and skips n words): &gt; 0.15, 0.14, 0.13, 0.12, 0.11, 0.10 →
 *       {@code duplicated_<n>_n_grams}.
 * </ul>
 *
 * A threshold of 0 turns its rule off (datatrove's falsy check). An empty text, where Python divides by
 * zero, is kept here (every ratio is NaN). Immutable and thread-safe.
 */
public final class GopherRepetitionFilter implements TextFilter {

    /** A threshold for one n-gram size. */
    public record NGramThreshold(int n, double maxFraction) {
        public NGramThreshold {
            if (n < 1) {
                throw new IllegalArgumentException("n must be positive: " + n);
            }
        }
    }

    /** How lines are cut: v0.2.0's {@code str.splitlines()} or HEAD's {@code re.split("\n+", text)}. */
    public enum LineSplit { SPLITLINES, NEWLINE_RUNS }

    public record Params(
            double dupLineFrac,
            double dupParaFrac,
            double dupLineCharFrac,
            double dupParaCharFrac,
            List<NGramThreshold> topNGrams,
            List<NGramThreshold> dupNGrams,
            LineSplit lineSplit) {

        public Params {
            topNGrams = List.copyOf(topNGrams);
            dupNGrams = List.copyOf(dupNGrams);
            Objects.requireNonNull(lineSplit);
        }

        /** datatrove v0.2.0's defaults, which FineWeb used. */
        public static Params fineweb() {
            return new Params(0.3, 0.3, 0.2, 0.2,
                    List.of(new NGramThreshold(2, 0.20), new NGramThreshold(3, 0.18), new NGramThreshold(4, 0.16)),
                    List.of(new NGramThreshold(5, 0.15), new NGramThreshold(6, 0.14), new NGramThreshold(7, 0.13),
                            new NGramThreshold(8, 0.12), new NGramThreshold(9, 0.11), new NGramThreshold(10, 0.10)),
                    LineSplit.SPLITLINES);
        }

        /** The same thresholds with datatrove HEAD's line splitting (runs of "\n", empty edge pieces kept). */
        public static Params head() {
            return fineweb().withLineSplit(LineSplit.NEWLINE_RUNS);
        }

        public Params withLineSplit(LineSplit split) {
            return new Params(dupLineFrac, dupParaFrac, dupLineCharFrac, dupParaCharFrac, topNGrams, dupNGrams, split);
        }
    }

    private final Params params;
    private final WordTokenizer tokenizer;

    public GopherRepetitionFilter() {
        this(Params.fineweb(), WordTokenizer.english());
    }

    public GopherRepetitionFilter(Params params, WordTokenizer tokenizer) {
        this.params = params;
        this.tokenizer = tokenizer;
    }

    @Override
    public String name() {
        return "gopher_rep";
    }

    public Params params() {
        return params;
    }

    @Override
    public String dropReason(String text) {
        double length = PythonStrings.length(text);

        List<String> paragraphs = splitParagraphs(PythonStrings.strip(text));
        long[] dup = findDuplicates(paragraphs);
        if (params.dupParaFrac > 0 && (double) dup[0] / paragraphs.size() > params.dupParaFrac) {
            return "dup_para_frac";
        }
        if (params.dupParaCharFrac > 0 && dup[1] / length > params.dupParaCharFrac) {
            return "dup_para_char_frac";
        }

        List<String> lines = params.lineSplit == LineSplit.SPLITLINES
                ? PythonStrings.splitLines(text)
                : splitNewlineRuns(text);
        dup = findDuplicates(lines);
        if (params.dupLineFrac > 0 && (double) dup[0] / lines.size() > params.dupLineFrac) {
            return "dup_line_frac";
        }
        if (params.dupLineCharFrac > 0 && dup[1] / length > params.dupLineCharFrac) {
            return "dup_line_char_frac";
        }

        if (params.topNGrams.isEmpty() && params.dupNGrams.isEmpty()) {
            return null;
        }
        var words = new Words(tokenizer.tokenize(text));
        for (NGramThreshold t : params.topNGrams) {
            if (words.size() < t.n) {
                continue;
            }
            if (words.topNGramChars(t.n) / length > t.maxFraction) {
                return "top_" + t.n + "_gram";
            }
        }
        for (NGramThreshold t : params.dupNGrams) {
            if (words.repeatedNGramChars(t.n) / length > t.maxFraction) {
                return "duplicated_" + t.n + "_n_grams";
            }
        }
        return null;
    }

    /**
     * {@code find_duplicates}: {duplicate elements, their total length in code points}, where duplicates are
     * the second and later occurrences. FineWeb's quality filter reuses it, as datatrove does.
     */
    static long[] findDuplicates(List<String> items) {
        var seen = new HashSet<String>(items.size() * 2);
        long elements = 0;
        long chars = 0;
        for (String item : items) {
            if (!seen.add(item)) {
                elements++;
                chars += PythonStrings.length(item);
            }
        }
        return new long[] {elements, chars};
    }

    /** {@code re.split(r"\n{2,}", text)}. */
    static List<String> splitParagraphs(String text) {
        return splitAtNewlineRuns(text, 2);
    }

    /** {@code re.split("\n+", text)}: empty first/last pieces when the text starts/ends with a newline. */
    static List<String> splitNewlineRuns(String text) {
        return splitAtNewlineRuns(text, 1);
    }

    /** Splits at every run of at least {@code minRun} newlines, as {@code re.split(r"\n{minRun,}", text)}. */
    private static List<String> splitAtNewlineRuns(String text, int minRun) {
        var out = new ArrayList<String>();
        int n = text.length();
        int start = 0;
        int i = 0;
        while (i < n) {
            int run = 0;
            while (i + run < n && text.charAt(i + run) == '\n') {
                run++;
            }
            if (run >= minRun) {
                out.add(text.substring(start, i));
                start = i + run;
            }
            i += Math.max(run, 1);
        }
        out.add(text.substring(start));
        return out;
    }

    /**
     * The word list with what the n-gram rules need, without building one string per n-gram: word ids (equal
     * words, equal ids) for the space-joined n-grams, and a rolling hash over the concatenated words for the
     * unspaced ones (where different word sequences can join to the same string, so the characters decide).
     * The n-gram counts live in open-addressing tables of int/long arrays, reused for every n.
     */
    private static final class Words {
        private static final long BASE = 0x100000001B3L;

        private final int size;
        private final int[] ids;
        /** Code points of words [0, i). */
        private final long[] cpPrefix;
        /** Concatenation of all words, and each word's start in it (plus the end). */
        private final String joined;
        private final int[] joinedStart;
        private long[] hashPrefix;
        private long[] powers;
        /** Scratch table for one n at a time: slot → first n-gram start + 1 (0 = empty), its hash, its count. */
        private final int[] slots;
        private final long[] slotHashes;
        private final int[] slotCounts;

        Words(List<String> words) {
            size = words.size();
            ids = new int[size];
            cpPrefix = new long[size + 1];
            joinedStart = new int[size + 1];
            int mask = tableSize(size) - 1;
            slots = new int[mask + 1];
            slotHashes = new long[mask + 1];
            slotCounts = new int[mask + 1];
            // word → id: slots hold the first index of the word + 1
            int distinct = 0;
            int chars = 0;
            for (int i = 0; i < size; i++) {
                chars += words.get(i).length();
            }
            var b = new StringBuilder(chars);
            for (int i = 0; i < size; i++) {
                String w = words.get(i);
                int h = w.hashCode();
                int slot = mix(h) & mask;
                while (true) {
                    int at = slots[slot] - 1;
                    if (at < 0) {
                        slots[slot] = i + 1;
                        slotCounts[slot] = distinct;
                        ids[i] = distinct++;
                        break;
                    }
                    if ((int) slotHashes[slot] == h && words.get(at).equals(w)) {
                        ids[i] = slotCounts[slot];
                        break;
                    }
                    slot = (slot + 1) & mask;
                }
                slotHashes[slot] = h;
                cpPrefix[i + 1] = cpPrefix[i] + PythonStrings.length(w);
                joinedStart[i] = b.length();
                b.append(w);
            }
            joinedStart[size] = b.length();
            joined = b.toString();
        }

        int size() {
            return size;
        }

        /**
         * {@code find_top_duplicate(get_n_grams(words, n))}: len × count of the most common n-gram; of equally
         * common ones the first seen (the one that starts first), as Python's Counter.most_common does.
         */
        long topNGramChars(int n) {
            int mask = slots.length - 1;
            java.util.Arrays.fill(slots, 0);
            for (int i = 0; i + n <= size; i++) {
                int h = 1;
                for (int k = i; k < i + n; k++) {
                    h = (h + ids[k]) * 0x9E3779B1;
                }
                int slot = mix(h) & mask;
                while (true) {
                    int at = slots[slot] - 1;
                    if (at < 0) {
                        slots[slot] = i + 1;
                        slotHashes[slot] = h;
                        slotCounts[slot] = 1;
                        break;
                    }
                    if ((int) slotHashes[slot] == h && java.util.Arrays.equals(ids, at, at + n, ids, i, i + n)) {
                        slotCounts[slot]++;
                        break;
                    }
                    slot = (slot + 1) & mask;
                }
            }
            int bestCount = 0;
            int bestStart = 0;
            for (int slot = 0; slot <= mask; slot++) {
                int at = slots[slot] - 1;
                if (at >= 0 && (slotCounts[slot] > bestCount || (slotCounts[slot] == bestCount && at < bestStart))) {
                    bestCount = slotCounts[slot];
                    bestStart = at;
                }
            }
            long gramLength = cpPrefix[bestStart + n] - cpPrefix[bestStart] + (n - 1);
            return gramLength * bestCount;
        }

        /** {@code find_all_duplicate(words, n)}: characters of the repeats found by the greedy scan. */
        long repeatedNGramChars(int n) {
            if (size < n) {
                return 0;
            }
            ensureHashes();
            int mask = slots.length - 1;
            java.util.Arrays.fill(slots, 0);
            long repeated = 0;
            int i = 0;
            while (i < size - n + 1) {
                int from = joinedStart[i];
                int to = joinedStart[i + n];
                long h = hashPrefix[to] - hashPrefix[from] * powers[to - from];
                int slot = mix((int) (h ^ (h >>> 32))) & mask;
                boolean seen = false;
                while (true) {
                    int at = slots[slot] - 1;
                    if (at < 0) {
                        slots[slot] = i + 1;
                        slotHashes[slot] = h;
                        break;
                    }
                    if (slotHashes[slot] == h) {
                        int atFrom = joinedStart[at];
                        int atTo = joinedStart[at + n];
                        if (atTo - atFrom == to - from && joined.regionMatches(atFrom, joined, from, to - from)) {
                            seen = true;
                            break;
                        }
                    }
                    slot = (slot + 1) & mask;
                }
                if (seen) {
                    repeated += cpPrefix[i + n] - cpPrefix[i];
                    i += n;
                } else {
                    i++;
                }
            }
            return repeated;
        }

        private void ensureHashes() {
            if (hashPrefix != null) {
                return;
            }
            int len = joined.length();
            hashPrefix = new long[len + 1];
            powers = new long[len + 1];
            powers[0] = 1;
            for (int i = 0; i < len; i++) {
                hashPrefix[i + 1] = hashPrefix[i] * BASE + joined.charAt(i);
                powers[i + 1] = powers[i] * BASE;
            }
        }

        /** A power of two at least twice {@code entries} (load ≤ 0.5). */
        private static int tableSize(int entries) {
            return Integer.highestOneBit(Math.max(8, entries) * 2 - 1) << 1;
        }

        /** Murmur3's finaliser: every input bit moves the low (slot) bits. */
        private static int mix(int h) {
            h ^= h >>> 16;
            h *= 0x85EBCA6B;
            h ^= h >>> 13;
            h *= 0xC2B2AE35;
            return h ^ (h >>> 16);
        }
    }
}
