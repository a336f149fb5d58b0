package dev.jchat.data.filter;

import dev.jchat.data.Document;
import dev.jchat.data.Outcome;
import dev.jchat.data.StepStats;
import dev.jchat.data.text.WordTokenizer;
import dev.jchat.data.text.PythonStrings;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Gopher's quality rules (Rae et al. 2021) as datatrove v0.2.0's {@code GopherQualityFilter} runs them, in
 * this order. Words are NLTK {@code word_tokenize} tokens, punctuation included; a "non-symbol word" has at
 * least one character outside datatrove's {@link #PUNCTUATION} set.
 *
 * <ul>
 *   <li>non-symbol words &lt; 50 → {@code gopher_short_doc}; &gt; 100,000 → {@code gopher_long_doc};
 *   <li>their mean length (code points) &lt; 3 → {@code gopher_below_avg_threshold}; &gt; 10 →
 *       {@code gopher_above_avg_threshold};
 *   <li>{@code text.count("#")} / all tokens &gt; 0.1 → {@code gopher_too_many_hashes};
 *       ({@code count("...")} + {@code count("…")}) / all tokens &gt; 0.1 → {@code gopher_too_many_ellipsis};
 *   <li>lines ({@code splitlines}) starting, after {@code lstrip}, with • or - &gt; 0.9 →
 *       {@code gopher_too_many_bullets}; ending, after {@code rstrip}, with ... or … &gt; 0.3 →
 *       {@code gopher_too_many_end_ellipsis};
 *   <li>tokens with a letter / all tokens &lt; 0.8 → {@code gopher_below_alpha_threshold};
 *   <li>occurrences of the stop words the, be, to, of, and, that, have, with (case-sensitive) &lt; 2 →
 *       {@code gopher_enough_stop_words} (HEAD since 2025-01: distinct stop words, an option here).
 * </ul>
 *
 * A threshold of 0 turns its rule off (datatrove's falsy check). Where Python would divide by zero (no
 * tokens, no lines) the ratio is NaN here and the rule does not fire; with the defaults such a text is
 * already dropped as {@code gopher_short_doc}. Immutable and thread-safe.
 */
public final class GopherQualityFilter implements TextFilter {

    /**
     * datatrove's {@code PUNCTUATION} ({@code utils/text.py}): ASCII and CJK punctuation, some dashes,
     * quotes and arrows, the fullwidth digit one (sic), and the C0/C1 control characters except tab and LF.
     */
    public static final String PUNCTUATION = "!/—”:％１〈&(、━\\【#%「」，】；+^]~“《„';’{|∶´[=-`*．（–？！：$～«〉,><》)?）。…@_.\"}►»"
            + controlCharacters();

    private static final boolean[] IS_PUNCTUATION = new boolean[0x10000];

    static {
        for (int i = 0; i < PUNCTUATION.length(); i++) {
            IS_PUNCTUATION[PUNCTUATION.charAt(i)] = true;
        }
    }

    private static String controlCharacters() {
        var b = new StringBuilder();
        int[][] ranges = {{0, 9}, {11, 13}, {13, 32}, {127, 160}};
        for (int[] r : ranges) {
            for (int c = r[0]; c < r[1]; c++) {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    public static final Set<String> STOP_WORDS = Set.of("the", "be", "to", "of", "and", "that", "have", "with");

    public record Params(
            int minDocWords,
            int maxDocWords,
            double minAvgWordLength,
            double maxAvgWordLength,
            double maxSymbolWordRatio,
            double maxBulletLinesRatio,
            double maxEllipsisLinesRatio,
            double maxNonAlphaWordsRatio,
            int minStopWords,
            Set<String> stopWords,
            boolean distinctStopWords) {

        public Params {
            stopWords = Set.copyOf(stopWords);
        }

        /** datatrove v0.2.0's defaults, which FineWeb used. */
        public static Params fineweb() {
            return new Params(50, 100_000, 3, 10, 0.1, 0.9, 0.3, 0.8, 2, STOP_WORDS, false);
        }

        /** datatrove HEAD: the stop-word rule counts distinct stop words. */
        public static Params head() {
            Params p = fineweb();
            return new Params(p.minDocWords, p.maxDocWords, p.minAvgWordLength, p.maxAvgWordLength,
                    p.maxSymbolWordRatio, p.maxBulletLinesRatio, p.maxEllipsisLinesRatio, p.maxNonAlphaWordsRatio,
                    p.minStopWords, p.stopWords, true);
        }
    }

    private final Params params;
    private final WordTokenizer tokenizer;

    public GopherQualityFilter() {
        this(Params.fineweb(), WordTokenizer.english());
    }

    public GopherQualityFilter(Params params, WordTokenizer tokenizer) {
        this.params = params;
        this.tokenizer = tokenizer;
    }

    @Override
    public String name() {
        return "gopher_qual";
    }

    public Params params() {
        return params;
    }

    @Override
    public Outcome apply(Document document, StepStats stats) {
        String reason = dropReason(document.text());
        return reason == null ? Outcome.keep(document) : Outcome.drop(document, reason);
    }

    /** True when {@code word} has a character outside {@link #PUNCTUATION}. */
    public static boolean isNonSymbolWord(String word) {
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            if (!IS_PUNCTUATION[c]) {
                return true;
            }
        }
        return false;
    }

    /** The reason datatrove would give for dropping {@code text}, or null to keep it. */
    public String dropReason(String text) {
        List<String> words = tokenizer.tokenize(text);
        double nWords = words.size();
        long nonSymbol = 0;
        long nonSymbolLength = 0;
        long withLetter = 0;
        long stopWords = 0;
        Set<String> distinctStops = params.distinctStopWords ? new HashSet<>() : null;
        for (String w : words) {
            if (isNonSymbolWord(w)) {
                nonSymbol++;
                nonSymbolLength += PythonStrings.length(w);
            }
            if (PythonStrings.hasLetter(w)) {
                withLetter++;
            }
            if (params.stopWords.contains(w)) {
                stopWords++;
                if (distinctStops != null) {
                    distinctStops.add(w);
                }
            }
        }

        if (params.minDocWords > 0 && nonSymbol < params.minDocWords) {
            return "gopher_short_doc";
        }
        if (params.maxDocWords > 0 && nonSymbol > params.maxDocWords) {
            return "gopher_long_doc";
        }
        // numpy's mean of nothing is NaN, which passes both comparisons, as here.
        double avgLength = nonSymbol == 0 ? Double.NaN : (double) nonSymbolLength / nonSymbol;
        if (params.minAvgWordLength > 0 && avgLength < params.minAvgWordLength) {
            return "gopher_below_avg_threshold";
        }
        if (params.maxAvgWordLength > 0 && avgLength > params.maxAvgWordLength) {
            return "gopher_above_avg_threshold";
        }
        if (params.maxSymbolWordRatio > 0) {
            if (PythonStrings.count(text, "#") / nWords > params.maxSymbolWordRatio) {
                return "gopher_too_many_hashes";
            }
            int ellipses = PythonStrings.count(text, "...") + PythonStrings.count(text, "…");
            if (ellipses / nWords > params.maxSymbolWordRatio) {
                return "gopher_too_many_ellipsis";
            }
        }
        List<String> lines = PythonStrings.splitLines(text);
        if (params.maxBulletLinesRatio > 0) {
            int bullets = 0;
            for (String line : lines) {
                String s = PythonStrings.lstrip(line);
                if (s.startsWith("•") || s.startsWith("-")) {
                    bullets++;
                }
            }
            if ((double) bullets / lines.size() > params.maxBulletLinesRatio) {
                return "gopher_too_many_bullets";
            }
        }
        if (params.maxEllipsisLinesRatio > 0) {
            int ellipsisLines = 0;
            for (String line : lines) {
                String s = PythonStrings.rstrip(line);
                if (s.endsWith("...") || s.endsWith("…")) {
                    ellipsisLines++;
                }
            }
            if ((double) ellipsisLines / lines.size() > params.maxEllipsisLinesRatio) {
                return "gopher_too_many_end_ellipsis";
            }
        }
        if (params.maxNonAlphaWordsRatio > 0 && withLetter / nWords < params.maxNonAlphaWordsRatio) {
            return "gopher_below_alpha_threshold";
        }
        long stops = params.distinctStopWords ? distinctStops.size() : stopWords;
        if (params.minStopWords > 0 && stops < params.minStopWords) {
            return "gopher_enough_stop_words";
        }
        return null;
    }
}
