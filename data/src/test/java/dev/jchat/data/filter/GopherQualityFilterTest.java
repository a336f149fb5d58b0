package dev.jchat.data.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.data.Document;
import dev.jchat.data.Outcome;
import dev.jchat.data.StepStats;
import dev.jchat.data.filter.GopherQualityFilter.Params;
import dev.jchat.data.text.WordTokenizer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each rule at FineWeb's threshold, with the default parameters: one document just inside (kept), one
 * just outside (dropped with datatrove's reason). The documents are lower-case words without sentence
 * punctuation, so NLTK's tokens are exactly the words and symbols written here.
 */
class GopherQualityFilterTest {

    private final GopherQualityFilter filter = new GopherQualityFilter();

    /** "the and" plus {@code n - 2} words of four letters: n words, two of them stop words. */
    private static List<String> words(int n) {
        var words = new ArrayList<String>();
        words.add("the");
        words.add("and");
        for (int i = 2; i < n; i++) {
            words.add("abcd");
        }
        return words;
    }

    private static String text(List<String> words) {
        return String.join(" ", words);
    }

    /** Inserts {@code symbol} as its own word after every eighth word, {@code count} times. */
    private static String withSymbols(int words, String symbol, int count) {
        List<String> w = words(words);
        for (int i = 0; i < count; i++) {
            w.add(1 + i * 8, symbol);
        }
        return text(w);
    }

    @Test
    void defaultsAreFineWebs() {
        Params p = filter.params();
        assertEquals(new Params(50, 100_000, 3, 10, 0.1, 0.9, 0.3, 0.8, 2, GopherQualityFilter.STOP_WORDS, false), p);
        assertPunctuationLength(GopherQualityFilter.PUNCTUATION.length());
        assertEquals("gopher_qual", filter.name());
    }

    private static void assertPunctuationLength(int length) {
        assertEquals(129, length, "datatrove's PUNCTUATION: 97 listed characters and 32 control characters");
    }

    @Test
    void shortDocument() {
        assertNull(filter.dropReason(text(words(50))));
        assertEquals("gopher_short_doc", filter.dropReason(text(words(49))));
        // Symbols are not words: 49 words and a lone "--" are still short.
        assertEquals("gopher_short_doc", filter.dropReason(text(words(49)) + " -- !"));
    }

    @Test
    void longDocument() {
        assertNull(filter.dropReason(text(words(100_000))));
        assertEquals("gopher_long_doc", filter.dropReason(text(words(100_001))));
    }

    @Test
    void meanWordLengthBelowThree() {
        List<String> w = words(50);
        w.replaceAll(x -> x.equals("abcd") ? "abc" : x);
        assertNull(filter.dropReason(text(w)), "mean 3.0");
        w.set(10, "ab");
        assertEquals("gopher_below_avg_threshold", filter.dropReason(text(w)), "mean 2.98");
    }

    @Test
    void meanWordLengthAboveTen() {
        List<String> w = words(50);
        w.replaceAll(x -> x.equals("abcd") ? "abcdefghij" : x);
        w.set(2, "abcdefghijklmnopq");
        w.set(3, "abcdefghijklmnopq");
        assertNull(filter.dropReason(text(w)), "mean 500 / 50 = 10.0");
        w.set(3, "abcdefghijklmnopqr");
        assertEquals("gopher_above_avg_threshold", filter.dropReason(text(w)), "mean 10.02");
    }

    @Test
    void hashToWordRatio() {
        // 54 words + 6 "#" tokens: 6 / 60 = 0.1 is kept; 53 words: 6 / 59 is dropped.
        assertNull(filter.dropReason(withSymbols(54, "#", 6)));
        assertEquals("gopher_too_many_hashes", filter.dropReason(withSymbols(53, "#", 6)));
    }

    @Test
    void ellipsisToWordRatio() {
        // Both "..." and "…" count, over all tokens.
        String kept = withSymbols(54, "…", 3).replaceFirst("the", "the ... ... ...");
        assertEquals(60, WordTokenizer.english().tokenize(kept).size());
        assertNull(filter.dropReason(kept));
        String dropped = withSymbols(53, "…", 3).replaceFirst("the", "the ... ... ...");
        assertEquals("gopher_too_many_ellipsis", filter.dropReason(dropped));
    }

    private static String lines(int count, int marked, String prefix, String suffix) {
        var lines = new ArrayList<String>();
        for (int i = 0; i < count; i++) {
            String line = "the and abcd abcd abcd abcd";
            lines.add(i < marked ? prefix + line + suffix : line);
        }
        return String.join("\n", lines);
    }

    @Test
    void bulletLines() {
        assertNull(filter.dropReason(lines(10, 9, "- ", "")), "9 of 10 lines");
        assertEquals("gopher_too_many_bullets", filter.dropReason(lines(11, 10, "- ", "")), "10 of 11");
        // lstrip() first, and the bullet character counts as well as the hyphen.
        assertEquals("gopher_too_many_bullets", filter.dropReason(lines(11, 10, " \t• ", "")));
    }

    @Test
    void linesEndingWithAnEllipsis() {
        assertNull(filter.dropReason(lines(10, 3, "", "…")), "3 of 10 lines");
        assertEquals("gopher_too_many_end_ellipsis", filter.dropReason(lines(13, 4, "", "...  ")), "4 of 13");
    }

    @Test
    void wordsWithALetter() {
        // 52 words with letters and 13 numbers: 52 / 65 = 0.8 is kept; 14 numbers: 52 / 66 is dropped.
        List<String> w = words(52);
        for (int i = 0; i < 13; i++) {
            w.add("1234");
        }
        assertNull(filter.dropReason(text(w)));
        w.add("1234");
        assertEquals("gopher_below_alpha_threshold", filter.dropReason(text(w)));
    }

    @Test
    void stopWords() {
        List<String> w = words(60);
        w.set(1, "abcd");
        assertEquals("gopher_enough_stop_words", filter.dropReason(text(w)), "one 'the'");
        w.set(5, "the");
        assertNull(filter.dropReason(text(w)), "'the' twice counts twice in v0.2.0");
        var head = new GopherQualityFilter(Params.head(), WordTokenizer.english());
        assertEquals("gopher_enough_stop_words", head.dropReason(text(w)), "HEAD counts distinct stop words");
        w.set(5, "with");
        assertNull(head.dropReason(text(w)));
        // Case-sensitive, as in datatrove.
        w.set(0, "The");
        w.set(5, "With");
        assertEquals("gopher_enough_stop_words", filter.dropReason(text(w)));
    }

    @Test
    void symbolWordsUseDatatrovesPunctuationSet() {
        assertFalse(GopherQualityFilter.isNonSymbolWord("--"));
        assertFalse(GopherQualityFilter.isNonSymbolWord("»«"));
        assertFalse(GopherQualityFilter.isNonSymbolWord("１"), "the fullwidth digit one is in datatrove's set");
        assertTrue(GopherQualityFilter.isNonSymbolWord("•"), "the bullet is not");
        assertTrue(GopherQualityFilter.isNonSymbolWord("a."));
        assertTrue(GopherQualityFilter.isNonSymbolWord("😀"));
    }

    @Test
    void stepKeepsTheDocumentUnchangedOrDropsIt() {
        Document doc = new Document(text(words(60)), "d");
        Outcome kept = filter.apply(doc, new StepStats("gopher_qual"));
        assertEquals(doc, assertInstanceOf(Outcome.Keep.class, kept).document());
        Outcome dropped = filter.apply(new Document("", "e"), new StepStats("gopher_qual"));
        assertEquals("gopher_short_doc", assertInstanceOf(Outcome.Drop.class, dropped).reason());
    }
}
