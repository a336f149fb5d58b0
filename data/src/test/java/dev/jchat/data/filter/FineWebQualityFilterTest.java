package dev.jchat.data.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.jchat.data.filter.FineWebQualityFilter.Params;
import dev.jchat.data.text.WordTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Each rule at FineWeb's threshold with the v0.2.0 comparisons (≤ 0.12, ≥ 0.67, ≥ 0.01, &gt; 0.3), and the
 * HEAD variant where it differs. Every document is built so that the other rules pass.
 */
class FineWebQualityFilterTest {

    private final FineWebQualityFilter filter = new FineWebQualityFilter();
    private final FineWebQualityFilter head = new FineWebQualityFilter(Params.head(), WordTokenizer.english());

    /** A distinct line of more than 30 characters without end punctuation. */
    private static String longLine(int i) {
        return String.format("Line number %03d has several distinct words", i);
    }

    /** {@code count} long lines, the first {@code punctuated} of them ending in a period. */
    private static String punctuatedLines(int count, int punctuated) {
        var lines = new ArrayList<String>();
        for (int i = 0; i < count; i++) {
            lines.add(longLine(i) + (i < punctuated ? "." : ""));
        }
        return String.join("\n", lines);
    }

    @Test
    void defaultsAreFineWebs() {
        assertEquals(new Params(0.12, false, Set.of((int) '.', (int) '\'', (int) '"', (int) '!', (int) '?'), 0.67, 30,
                0.01, 0.3, false), filter.params());
        assertEquals(159, FineWebQualityFilter.TERMINAL_PUNCTUATION.size());
        assertEquals("fineweb_quality", filter.name());
    }

    @Test
    void linePunctuationRatio() {
        // 3 of 25 lines = 0.12 is dropped (<=); 4 of 33 = 0.121 is kept.
        assertEquals("line_punct_ratio", filter.dropReason(punctuatedLines(25, 3)));
        assertNull(filter.dropReason(punctuatedLines(33, 4)));
        // HEAD compares strictly.
        assertNull(head.dropReason(punctuatedLines(25, 3)));
        assertEquals("line_punct_ratio", head.dropReason(punctuatedLines(34, 4)));
    }

    @Test
    void linePunctuationRatioCountsEmptyLinesInV020() {
        // 4 of 25 lines punctuated, plus 9 empty lines: 4 / 34 in v0.2.0, 4 / 25 in HEAD.
        String text = punctuatedLines(25, 4).replaceFirst("\n", "\n\n\n\n\n\n\n\n\n\n");
        assertEquals("line_punct_ratio", filter.dropReason(text));
        assertNull(head.dropReason(text));
    }

    @Test
    void linePunctuationExcludeZero() {
        var excludeZero = new FineWebQualityFilter(
                new Params(0.12, true, FineWebQualityFilter.STOP_CHARS, 0.67, 30, 0.01, 0.3, false),
                WordTokenizer.english());
        assertEquals("line_punct_ratio", filter.dropReason(punctuatedLines(10, 0)));
        assertNull(excludeZero.dropReason(punctuatedLines(10, 0)));
        // Only an exact zero is excused: 1 of 10 lines is still too few.
        assertEquals("line_punct_ratio", excludeZero.dropReason(punctuatedLines(10, 1)));
    }

    @Test
    void stopCharactersOfV020AndHead() {
        var lines = new ArrayList<String>();
        for (int i = 0; i < 10; i++) {
            lines.add("\"" + longLine(i) + ".\"");
        }
        String quoted = String.join("\n", lines);
        assertNull(filter.dropReason(quoted), "a closing quote counts in v0.2.0");
        assertEquals("line_punct_ratio", head.dropReason(quoted), "HEAD's sentence terminators have no quotes");
        String ideographic = punctuatedLines(10, 0).replace("words", "words。");
        assertEquals("line_punct_ratio", filter.dropReason(ideographic));
        assertNull(head.dropReason(ideographic));
        String supplementary = punctuatedLines(10, 0).replace("words", "words\uD805\uDDC2");
        assertNull(head.dropReason(supplementary), "U+115C2 SIDDHAM DANDA");
    }

    /** {@code count} lines ending in a period, the first {@code shortLines} exactly 30 characters long. */
    private static String shortLines(int count, int shortLines) {
        var lines = new ArrayList<String>();
        for (int i = 0; i < count; i++) {
            String line = i < shortLines
                    ? String.format("Short line number %03d padded!.", i)
                    : String.format("This is a long line, number %03d, with text.", i);
            lines.add(line);
        }
        assertEquals(30, lines.get(0).length());
        return String.join("\n", lines);
    }

    @Test
    void shortLineRatio() {
        assertEquals("short_line_ratio", filter.dropReason(shortLines(100, 67)), "0.67 is dropped (>=)");
        assertNull(filter.dropReason(shortLines(100, 66)));
        assertNull(head.dropReason(shortLines(100, 67)), "HEAD compares strictly");
        assertEquals("short_line_ratio", head.dropReason(shortLines(100, 68)));
    }

    /** Two copies of a 10-character line, and distinct long lines: {@code total} characters without newlines. */
    private static String duplicatedLine(int total) {
        var lines = new ArrayList<String>(List.of("Same line.", "Same line."));
        int remaining = total - 20;
        for (int i = 0; remaining > 0; i++) {
            int length = remaining >= 89 ? 49 : remaining;
            String prefix = String.format("Filler line %03d ", i);
            lines.add(prefix + "ab ".repeat(length).substring(0, length - prefix.length() - 1) + ".");
            remaining -= length;
        }
        String text = String.join("\n", lines);
        assertEquals(total, text.replace("\n", "").length());
        return text;
    }

    @Test
    void duplicateLineCharacterRatio() {
        // 10 duplicate characters of 1000: 0.01 is dropped (>=); of 1001 kept.
        assertEquals("char_dup_ratio", filter.dropReason(duplicatedLine(1000)));
        assertNull(filter.dropReason(duplicatedLine(1001)));
        assertNull(head.dropReason(duplicatedLine(1000)), "HEAD compares strictly");
        assertEquals("char_dup_ratio", head.dropReason(duplicatedLine(999)));
        // Blank lines are never duplicates.
        assertNull(filter.dropReason(duplicatedLine(1001).replace("\n", "\n \n")));
    }

    /** 10 lines: one long word and a period each, except the first, which has {@code extraWords} + 1 words. */
    private static String listLike(int extraWords) {
        var lines = new ArrayList<String>();
        var first = new ArrayList<String>();
        for (int i = 0; i <= extraWords; i++) {
            first.add("word" + (char) ('a' + i));
        }
        lines.add(String.join(" ", first) + ".");
        for (int i = 1; i < 10; i++) {
            lines.add("Pneumonoultramicroscopicsilicovolcanoconiosis" + (char) ('a' + i) + ".");
        }
        return String.join("\n", lines);
    }

    @Test
    void newlineToWordRatio() {
        // 9 newlines / (2 × 9 + 10 + 2 = 30 tokens) = 0.3 is kept; / 29 tokens is dropped.
        assertEquals(30, WordTokenizer.english().tokenize(listLike(10)).size());
        assertNull(filter.dropReason(listLike(10)));
        assertEquals("list_ratio", filter.dropReason(listLike(9)));
        assertEquals("list_ratio", head.dropReason(listLike(9)));
    }

    @Test
    void blankTextIsEmptyInHead() {
        assertEquals("empty", head.dropReason("\n \n\t\n"));
        assertEquals("line_punct_ratio", filter.dropReason("\n \n\t\n"));
        assertEquals("line_punct_ratio", filter.dropReason(""));
    }
}
