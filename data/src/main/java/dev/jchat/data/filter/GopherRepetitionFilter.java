package dev.jchat.data.filter;

import dev.jchat.data.text.WordTokenizer;
import dev.jchat.data.text.PythonStrings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

        Words(List<String> words) {
            size = words.size();
            ids = new int[size];
            cpPrefix = new long[size + 1];
            joinedStart = new int[size + 1];
            var idOf = new HashMap<String, Integer>();
            var b = new StringBuilder();
            for (int i = 0; i < size; i++) {
                String w = words.get(i);
                ids[i] = idOf.computeIfAbsent(w, k -> idOf.size());
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

        /** {@code find_top_duplicate(get_n_grams(words, n))}: len × count of the most common n-gram. */
        long topNGramChars(int n) {
            var counts = new LinkedHashMap<IdGram, int[]>();
            for (int i = 0; i + n <= size; i++) {
                var gram = new IdGram(ids, i, n);
                counts.computeIfAbsent(gram, g -> new int[] {0, g.start})[0]++;
            }
            int bestCount = 0;
            int bestStart = 0;
            for (Map.Entry<IdGram, int[]> e : counts.entrySet()) {
                if (e.getValue()[0] > bestCount) {
                    bestCount = e.getValue()[0];
                    bestStart = e.getValue()[1];
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
            var unique = new HashSet<CharGram>();
            long repeated = 0;
            int i = 0;
            while (i < size - n + 1) {
                int from = joinedStart[i];
                int to = joinedStart[i + n];
                var gram = new CharGram(joined, from, to, hash(from, to));
                if (!unique.add(gram)) {
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

        private int hash(int from, int to) {
            long h = hashPrefix[to] - hashPrefix[from] * powers[to - from];
            return (int) (h ^ (h >>> 32));
        }
    }

    /** n consecutive word ids, compared by value. */
    private static final class IdGram {
        final int[] ids;
        final int start;
        final int n;
        final int hash;

        IdGram(int[] ids, int start, int n) {
            this.ids = ids;
            this.start = start;
            this.n = n;
            int h = 1;
            for (int i = start; i < start + n; i++) {
                h = 31 * h + ids[i];
            }
            this.hash = h;
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof IdGram g) || g.hash != hash || g.n != n) {
                return false;
            }
            for (int i = 0; i < n; i++) {
                if (ids[start + i] != g.ids[g.start + i]) {
                    return false;
                }
            }
            return true;
        }
    }

    /** A slice of the concatenated words, compared by its characters. */
    private record CharGram(String text, int from, int to, int hash) {
        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof CharGram g && g.hash == hash && g.to - g.from == to - from
                    && text.regionMatches(from, g.text, g.from, to - from);
        }
    }
}
