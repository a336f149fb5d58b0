package dev.jchat.data.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden cases for {@code nltk.sent_tokenize}: each expected list is NLTK 3.8's output with the Punkt
 * parameters that {@link SentenceSplitter} embeds (abbreviations, collocations, sentence starters and the
 * stand-in orthographic context).
 */
class SentenceSplitterTest {

    private final SentenceSplitter splitter = SentenceSplitter.english();

    static Stream<Arguments> goldenCases() {
        return Stream.of(
                sentences("Mr. Smith bought cheapsite.com for 1.5 million dollars, i.e. he paid a lot for it. Did he mind? Adam Jones Jr. thinks he didn't. In any case, this isn't true... Well, with a probability of .9 it isn't.",
                        "Mr. Smith bought cheapsite.com for 1.5 million dollars, i.e.", "he paid a lot for it.", "Did he mind?", "Adam Jones Jr. thinks he didn't.", "In any case, this isn't true... Well, with a probability of .9 it isn't."),
                sentences("Punkt knows that the periods in Mr. Smith and Johann S. Bach\ndo not mark sentence boundaries.  And sometimes sentences\ncan start with non-capitalized words.  i is a good variable\nname.",
                        "Punkt knows that the periods in Mr. Smith and Johann S. Bach\ndo not mark sentence boundaries.", "And sometimes sentences\ncan start with non-capitalized words.", "i is a good variable\nname."),
                sentences("(How does it deal with this parenthesis?)  \"It should be part of the\nprevious sentence.\" \"(And the same with this one.)\" ('And this one!')\n\"('(And (this)) '?)\" [(and this. )]",
                        "(How does it deal with this parenthesis?)", "\"It should be part of the\nprevious sentence.\"", "\"(And the same with this one.)\"", "('And this one!')", "\"('(And (this)) '?)\"", "[(and this. )]"),
                sentences("The value of pi is 3.14159. It is irrational.",
                        "The value of pi is 3.14159.", "It is irrational."),
                sentences("He arrived at 5 p.m. on Friday. Then he left.",
                        "He arrived at 5 p.m. on Friday.", "Then he left."),
                sentences("I like fruit, e.g. apples. Others prefer etc. and so on.",
                        "I like fruit, e.g.", "apples.", "Others prefer etc.", "and so on."),
                sentences("Wait... What happened? Nothing... really.",
                        "Wait... What happened?", "Nothing... really."),
                sentences("The U.S. Army and the U.K. Navy met in Washington D.C. yesterday.",
                        "The U.S. Army and the U.K. Navy met in Washington D.C. yesterday."),
                sentences("She scored 98.5 points. The record is 99.",
                        "She scored 98.5 points.", "The record is 99."),
                sentences("J. R. R. Tolkien wrote books. He died in 1973.",
                        "J. R. R. Tolkien wrote books.", "He died in 1973."),
                sentences("See p. 42 for details. Vol. 3 is missing.",
                        "See p. 42 for details.", "Vol.", "3 is missing."),
                sentences("It ended in World War II. The peace followed.",
                        "It ended in World War II.", "The peace followed."),
                sentences("Stop! Go! Now?! Yes.",
                        "Stop!", "Go!", "Now?!", "Yes."),
                sentences("No sentence end here",
                        "No sentence end here"),
                sentences(""),
                sentences("   "),
                sentences("First line.\nSecond line.\n\nThird paragraph.",
                        "First line.", "Second line.", "Third paragraph."),
                sentences("He said \"Stop.\" Then he left.",
                        "He said \"Stop.\"", "Then he left."),
                sentences("Dr. Who met Prof. Brown at the U.N. The meeting went well.",
                        "Dr. Who met Prof. Brown at the U.N.", "The meeting went well."),
                sentences("Version 2.0. Released on Jan. 5. Great.",
                        "Version 2.0.", "Released on Jan. 5.", "Great."));
    }

    private static Arguments sentences(String text, String... sentences) {
        return Arguments.of(text, List.of(sentences));
    }

    @ParameterizedTest
    @MethodSource("goldenCases")
    void matchesNltk(String text, List<String> expected) {
        assertEquals(expected, splitter.split(text));
        assertEquals(expected.size(), splitter.count(text));
    }

    @Test
    void abbreviationsInitialsAndNumbers() {
        assertEquals(1, splitter.count("Mr. and Mrs. Smith live on Baker St. in London."));
        assertEquals(1, splitter.count("Johann S. Bach wrote it."));
        assertEquals(1, splitter.count("Pi is about 3.14 and e is about 2.72 today."));
        assertEquals(2, splitter.count("He was born in 1990. The rest is history."));
        assertEquals(1, splitter.count("Page 5. and more follows."), "a number before a lower-case word");
        assertEquals(2, splitter.count("I met Dr. Jones. He was kind."));
    }

    @Test
    void spansPointIntoTheText() {
        String text = "  One here.   Two there!  ";
        int[] spans = splitter.spans(text);
        assertEquals(4, spans.length);
        // As in NLTK, the first sentence keeps the text's leading whitespace; trailing whitespace is cut.
        assertEquals("  One here.", text.substring(spans[0], spans[1]));
        assertEquals("Two there!", text.substring(spans[2], spans[3]));
    }

    @Test
    void hostileInputStaysLinear() {
        // NLTK is quadratic on some of these (the word before a candidate grows with the text).
        for (String unit : new String[] {"!", "?)", ".", "a", " ", "\n", "a. ", "A. ", "...", ". "}) {
            String text = unit.repeat(400_000 / unit.length());
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> splitter.count(text), unit);
        }
    }
}
