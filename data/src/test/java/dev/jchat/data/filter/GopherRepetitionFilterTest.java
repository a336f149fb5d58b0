package dev.jchat.data.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.jchat.data.Document;
import dev.jchat.data.Outcome;
import dev.jchat.data.StepStats;
import dev.jchat.data.filter.GopherRepetitionFilter.LineSplit;
import dev.jchat.data.filter.GopherRepetitionFilter.NGramThreshold;
import dev.jchat.data.filter.GopherRepetitionFilter.Params;
import dev.jchat.data.text.WordTokenizer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each rule at the FineWeb threshold: a text whose ratio equals the threshold (or is just under it) is kept,
 * one just over it is dropped with datatrove's reason. Each test turns the other rules off so that the
 * ratio under test is exact; the texts use words without punctuation, so NLTK's tokens are the words.
 */
class GopherRepetitionFilterTest {

    private static final Params NONE = new Params(0, 0, 0, 0, List.of(), List.of(), LineSplit.SPLITLINES);

    private static String reason(Params params, String text) {
        return new GopherRepetitionFilter(params, WordTokenizer.english()).dropReason(text);
    }

    /** n distinct letters, e.g. 4 → "abcd". */
    private static String letters(int n) {
        var b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append((char) ('a' + i % 26));
        }
        return b.toString();
    }

    private static String paragraphs(List<String> paragraphs) {
        return String.join("\n\n", paragraphs);
    }

    /** {@code unique} distinct paragraphs, then "dup" {@code copies} times (copies - 1 duplicates). */
    private static List<String> withDuplicates(int unique, int copies) {
        var items = new ArrayList<String>();
        for (int i = 0; i < unique; i++) {
            items.add("paragraph number " + i);
        }
        for (int i = 0; i < copies; i++) {
            items.add("dup");
        }
        return items;
    }

    @Test
    void defaultsAreFineWebs() {
        Params p = new GopherRepetitionFilter().params();
        assertEquals(0.3, p.dupLineFrac());
        assertEquals(0.3, p.dupParaFrac());
        assertEquals(0.2, p.dupLineCharFrac());
        assertEquals(0.2, p.dupParaCharFrac());
        assertEquals(List.of(new NGramThreshold(2, 0.2), new NGramThreshold(3, 0.18), new NGramThreshold(4, 0.16)),
                p.topNGrams());
        assertEquals(List.of(new NGramThreshold(5, 0.15), new NGramThreshold(6, 0.14), new NGramThreshold(7, 0.13),
                new NGramThreshold(8, 0.12), new NGramThreshold(9, 0.11), new NGramThreshold(10, 0.10)),
                p.dupNGrams());
        assertEquals(LineSplit.SPLITLINES, p.lineSplit());
        assertEquals("gopher_rep", new GopherRepetitionFilter().name());
    }

    @Test
    void duplicateParagraphFraction() {
        Params p = new Params(0, 0.3, 0, 0, List.of(), List.of(), LineSplit.SPLITLINES);
        // 10 paragraphs, 3 duplicates: 0.3 is not > 0.3.
        assertNull(reason(p, paragraphs(withDuplicates(6, 4))));
        // 13 paragraphs, 4 duplicates: 0.31.
        assertEquals("dup_para_frac", reason(p, paragraphs(withDuplicates(8, 5))));
        // Paragraphs are split at two or more newlines only, after strip().
        assertNull(reason(p, "\n\n  dup\ndup\ndup\nx\n\n"));
    }

    @Test
    void duplicateParagraphCharacterFraction() {
        Params p = new Params(0, 0, 0, 0.2, List.of(), List.of(), LineSplit.SPLITLINES);
        String dup = letters(10);
        // 10 duplicate characters of 50 (the separators count): 0.2.
        assertNull(reason(p, dup + "\n\n" + dup + "\n\n" + "z".repeat(26)));
        // of 49: 0.204.
        assertEquals("dup_para_char_frac", reason(p, dup + "\n\n" + dup + "\n\n" + "z".repeat(25)));
    }

    @Test
    void duplicateLineFraction() {
        Params p = new Params(0.3, 0, 0, 0, List.of(), List.of(), LineSplit.SPLITLINES);
        assertNull(reason(p, String.join("\n", withDuplicates(6, 4))));
        assertEquals("dup_line_frac", reason(p, String.join("\n", withDuplicates(8, 5))));
    }

    @Test
    void duplicateLineFractionCountsEmptyLinesInV020ButNotInHead() {
        // splitlines() gives a, "", b, "", c, "", d, "", e: 3 duplicate empty lines of 9 = 0.33.
        String text = "a\n\nb\n\nc\n\nd\n\ne";
        Params v020 = new Params(0.3, 0, 0, 0, List.of(), List.of(), LineSplit.SPLITLINES);
        assertEquals("dup_line_frac", reason(v020, text));
        // re.split("\n+") gives a, b, c, d, e.
        assertNull(reason(v020.withLineSplit(LineSplit.NEWLINE_RUNS), text));
        assertEquals(LineSplit.NEWLINE_RUNS, Params.head().lineSplit());
    }

    @Test
    void duplicateLineCharacterFraction() {
        Params p = new Params(0, 0, 0.2, 0, List.of(), List.of(), LineSplit.SPLITLINES);
        String dup = letters(10);
        assertNull(reason(p, dup + "\n" + dup + "\n" + "z".repeat(28)));
        assertEquals("dup_line_char_frac", reason(p, dup + "\n" + dup + "\n" + "z".repeat(27)));
    }

    @ParameterizedTest(name = "top {0}-gram")
    @CsvSource({
        // n, threshold, length of the text that is kept (ratio <= threshold); one less is dropped.
        "2, 0.20, 30",
        "3, 0.18, 56",
        "4, 0.16, 88",
    })
    void topNGramCharacterFraction(int n, double threshold, int keptLength) {
        Params p = new Params(0, 0, 0, 0, List.of(new NGramThreshold(n, threshold)), List.of(), LineSplit.SPLITLINES);
        // The n-gram "a b …" twice: (2n - 1) characters × 2, then one filler word.
        String gram = String.join(" ", letters(n).split(""));
        String twice = gram + " " + gram;
        int filler = keptLength - twice.length() - 1;
        String kept = twice + " " + "z".repeat(filler);
        assertEquals(keptLength, kept.length());
        assertNull(reason(p, kept));
        assertEquals("top_" + n + "_gram", reason(p, twice + " " + "z".repeat(filler - 1)));
    }

    @Test
    void topNGramTieGoesToTheFirstSeen() {
        // "p q" and "rrrrrr s" both occur twice; Counter.most_common(1) returns "p q" (seen first):
        // 3 × 2 / 25 = 0.24. Had the longer one won, 8 × 2 / 25 = 0.64.
        Params p = new Params(0, 0, 0, 0, List.of(new NGramThreshold(2, 0.25)), List.of(), LineSplit.SPLITLINES);
        assertNull(reason(p, "p q p q rrrrrr s rrrrrr s"));
        assertEquals("top_2_gram", reason(p, "rrrrrr s rrrrrr s p q p q"));
    }

    @ParameterizedTest(name = "duplicated {0}-grams")
    @CsvSource({
        // n, threshold, length of the text that is kept; one less is dropped.
        "5, 0.15, 34",
        "6, 0.14, 43",
        "7, 0.13, 54",
        "8, 0.12, 67",
        "9, 0.11, 82",
        "10, 0.10, 100",
    })
    void duplicatedNGramCharacterFraction(int n, double threshold, int keptLength) {
        Params p = new Params(0, 0, 0, 0, List.of(), List.of(new NGramThreshold(n, threshold)), LineSplit.SPLITLINES);
        // n one-letter words twice: the scan finds one repeat of n characters.
        String gram = String.join(" ", letters(n).split(""));
        String twice = gram + " " + gram;
        int filler = keptLength - twice.length() - 1;
        assertNull(reason(p, twice + " " + "z".repeat(filler)));
        assertEquals("duplicated_" + n + "_n_grams", reason(p, twice + " " + "z".repeat(filler - 1)));
    }

    @Test
    void duplicatedNGramsJoinWordsWithoutSpaces() {
        // "ab c d e f" and "a bc d e f" are different word sequences but join to the same "abcdef", which
        // datatrove counts as a repeat: 6 characters of 37 = 0.162 > 0.15.
        Params p = new Params(0, 0, 0, 0, List.of(), List.of(new NGramThreshold(5, 0.15)), LineSplit.SPLITLINES);
        String text = "ab c d e f a bc d e f " + "z".repeat(15);
        assertEquals(37, text.length());
        assertEquals("duplicated_5_n_grams", reason(p, text));
        assertNull(reason(p, "ab c d e f a bx d e f " + "z".repeat(15)));
    }

    @Test
    void greedyScanSkipsTheRepeat() {
        // a b c d e repeated three times: the scan adds 5 at the second copy, jumps 5 words, and adds 5 again.
        Params p = new Params(0, 0, 0, 0, List.of(), List.of(new NGramThreshold(5, 0.2)), LineSplit.SPLITLINES);
        String g = "a b c d e";
        String text = g + " " + g + " " + g + " " + "z".repeat(20);
        // 10 / 50 = 0.2 is kept; had the scan counted every overlapping window it would be far above.
        assertEquals(50, text.length());
        assertNull(reason(p, text));
        assertEquals("duplicated_5_n_grams", reason(p, g + " " + g + " " + g + " " + "z".repeat(19)));
    }

    @Test
    void ordinaryProseIsKeptAndRepetitiveSpamDropped() {
        var filter = new GopherRepetitionFilter();
        String prose = "The quick brown fox jumps over the lazy dog. A second sentence talks about something else.\n"
                + "Paragraphs differ from each other, and no line repeats here at all.";
        Outcome kept = filter.apply(new Document(prose, "p"), new StepStats("gopher_rep"));
        assertSame(prose, assertInstanceOf(Outcome.Keep.class, kept).document().text());
        // One paragraph (no blank line), ten lines of which nine are duplicates.
        String spam = "Buy cheap watches now!\n".repeat(10);
        Outcome dropped = filter.apply(new Document(spam, "s"), new StepStats("gopher_rep"));
        assertEquals("dup_line_frac", assertInstanceOf(Outcome.Drop.class, dropped).reason());
        assertEquals("dup_para_frac", filter.dropReason("Buy cheap watches now!\n\n".repeat(10)));
    }

    @Test
    void emptyTextIsKept() {
        assertNull(new GopherRepetitionFilter().dropReason(""));
        assertNull(reason(NONE, "anything"));
    }
}
