package dev.jchat.data.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.data.Document;
import dev.jchat.data.Outcome;
import dev.jchat.data.StepStats;
import dev.jchat.data.filter.C4QualityFilter.Params;
import dev.jchat.data.text.SentenceSplitter;
import java.util.Map;
import org.junit.jupiter.api.Test;

class C4QualityFilterTest {

    private static final String FIVE_SENTENCES = "One is here. Two is here. Three is here. Four is here. Five is here.";

    private final C4QualityFilter filter = new C4QualityFilter();

    private static Outcome run(C4QualityFilter filter, String text, StepStats stats) {
        return filter.apply(new Document(text, "id", Map.of("url", "https://example.com/")), stats);
    }

    private String keptText(String text) {
        Outcome outcome = run(filter, text, new StepStats("c4_quality"));
        return assertInstanceOf(Outcome.Keep.class, outcome, () -> "dropped: " + outcome).document().text();
    }

    private String dropReason(C4QualityFilter f, String text) {
        Outcome outcome = run(f, text, new StepStats("c4_quality"));
        return assertInstanceOf(Outcome.Drop.class, outcome, () -> "kept: " + outcome).reason();
    }

    @Test
    void defaultsAreFineWebs() {
        assertEquals(new Params(true, true, false, 5, 3, 1000, true, true, true, true), filter.params());
        assertTrue(Params.c4().filterNoTerminalPunct());
        assertEquals("c4_quality", filter.name());
    }

    @Test
    void rewritesTheTextToTheKeptLinesAndCountsEveryLine() {
        String text = "  First kept line here.  \n"
                + "short line\n"
                + "Enable JavaScript to view this page.\n"
                + "Read our Privacy Policy for details.\n"
                + "x".repeat(1001) + " is too long.\n"
                + "\n"
                + "Second kept line [1] with citation[edit].\n"
                + "Third one. Fourth one! Fifth one?\n";
        var stats = new StepStats("c4_quality");
        Outcome outcome = run(filter, text, stats);
        Document kept = assertInstanceOf(Outcome.Keep.class, outcome).document();
        assertEquals("First kept line here.\nSecond kept line  with citation.\nThird one. Fourth one! Fifth one?",
                kept.text());
        assertEquals("id", kept.id());
        assertEquals("https://example.com/", kept.url());
        assertEquals(8, stats.count("line-total"));
        assertEquals(3, stats.count("line-kept"));
        assertEquals(2, stats.count("line-filter-too_few_words"), "'short line' and the empty line");
        assertEquals(1, stats.count("line-filter-javascript"));
        assertEquals(1, stats.count("line-filter-policy"));
        assertEquals(1, stats.count("line-filter-too_long_word"));
        assertEquals(0, stats.count("line-filter-no_terminal_punc"));
    }

    @Test
    void unchangedTextKeepsTheSameDocument() {
        var doc = new Document(FIVE_SENTENCES, "id");
        assertSame(doc, ((Outcome.Keep) filter.apply(doc, new StepStats("c4_quality"))).document());
    }

    @Test
    void wordLengthLimit() {
        String kept = keptText("x".repeat(1000) + " ends here.\n" + FIVE_SENTENCES);
        assertTrue(kept.startsWith("x".repeat(1000) + " ends here."));
        String dropped = keptText("x".repeat(1001) + " ends here.\n" + FIVE_SENTENCES);
        assertEquals(FIVE_SENTENCES, dropped);
        // Code points, not UTF-16 units: 1000 emoji are 2000 chars but 1000 characters in Python.
        assertTrue(keptText("😀".repeat(1000) + " ends here.\n" + FIVE_SENTENCES).startsWith("😀"));
    }

    @Test
    void minimumWordsPerLineCountsWordsBeforeCitationsAreRemoved() {
        assertEquals(FIVE_SENTENCES, keptText("Two words.\n" + FIVE_SENTENCES));
        assertEquals("Three words here.\n" + FIVE_SENTENCES, keptText("Three words here.\n" + FIVE_SENTENCES));
        // "alpha [1] beta" has three words; the citation goes, the spaces around it stay.
        assertEquals("alpha  beta\n" + FIVE_SENTENCES, keptText("alpha [1] beta\n" + FIVE_SENTENCES));
        assertEquals("a  b  c\n" + FIVE_SENTENCES, keptText("a [citation needed] b [] c\n" + FIVE_SENTENCES));
    }

    @Test
    void loremIpsumDropsTheDocument() {
        assertEquals("lorem_ipsum", dropReason(filter, FIVE_SENTENCES + "\nLorem Ipsum dolor sit amet."));
        // A line already dropped for having too few words never reaches the check.
        assertEquals(FIVE_SENTENCES, keptText(FIVE_SENTENCES + "\nlorem ipsum"));
    }

    @Test
    void curlyBracketDropsTheDocument() {
        assertEquals("curly_bracket", dropReason(filter, FIVE_SENTENCES + "\nfunction f() { return 1; }"));
        assertEquals(FIVE_SENTENCES, keptText(FIVE_SENTENCES + "\n{ x"));
        // The javascript rule comes first and drops only the line.
        assertEquals(FIVE_SENTENCES, keptText(FIVE_SENTENCES + "\nvar javascript = { a: 1 };"));
    }

    @Test
    void policyPhrasesDropTheLine() {
        for (String phrase : new String[] {"Terms of Use", "privacy policy", "Cookie Policy", "This site uses cookies",
            "the use of cookies", "We use cookies"}) {
            var stats = new StepStats("c4_quality");
            Outcome outcome = run(filter, FIVE_SENTENCES + "\nPlease read: " + phrase + " today.", stats);
            assertEquals(FIVE_SENTENCES, ((Outcome.Keep) outcome).document().text(), phrase);
            assertEquals(1, stats.count("line-filter-policy"), phrase);
        }
    }

    @Test
    void atLeastFiveSentences() {
        String four = "One is here. Two is here.\nThree is here. Four is here.";
        assertEquals("too_few_sentences", dropReason(filter, four));
        assertEquals(four + "\nFive is here.", keptText(four + "\nFive is here."));
        // Punkt does not break after abbreviations or inside numbers.
        assertEquals("too_few_sentences", dropReason(filter,
                "Mr. Smith paid 3.50 dollars. Dr. Jones paid more.\nThey met at 5 p.m. on Jan. 5. It rained."));
        var stats = new StepStats("c4_quality");
        run(filter, "", stats);
        assertEquals(0, stats.count("line-total"));
        assertEquals("too_few_sentences", dropReason(filter, ""));
    }

    @Test
    void terminalPunctuationRuleIsOffForFineWebAndOnForC4() {
        String text = FIVE_SENTENCES + "\nNo punctuation here\nThis trails off...\nThis is quoted.\"\nSingle quote end'";
        assertEquals(text, keptText(text));
        var c4 = new C4QualityFilter(Params.c4(), SentenceSplitter.english());
        var stats = new StepStats("c4_quality");
        Outcome outcome = run(c4, text, stats);
        assertEquals(FIVE_SENTENCES + "\nThis is quoted.\"\nSingle quote end'",
                ((Outcome.Keep) outcome).document().text());
        assertEquals(2, stats.count("line-filter-no_terminal_punc"));
    }

    @Test
    void sentenceModeJoinsKeptSentencesWithSpaces() {
        var params = new Params(false, true, false, 5, 3, 1000, true, true, true, true);
        var sentences = new C4QualityFilter(params, SentenceSplitter.english());
        Outcome outcome = run(sentences, "Short one. " + FIVE_SENTENCES + " Enable javascript now please.",
                new StepStats("c4_quality"));
        assertEquals(FIVE_SENTENCES, ((Outcome.Keep) outcome).document().text());
        assertFalse(run(sentences, "One is here. Two is here.", new StepStats("x")) instanceof Outcome.Keep);
    }
}
