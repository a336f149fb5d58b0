package dev.jchat.data.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jchat.data.Document;
import dev.jchat.data.DocumentStep;
import dev.jchat.data.Outcome;
import dev.jchat.data.StepStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The four text-quality steps in FineWeb's order on real English prose (Debian's licence texts in
 * /usr/share/common-licenses) and on the kinds of page they exist to remove, plus hostile input that
 * would make a backtracking implementation hang.
 */
class QualityFiltersOnProseTest {

    private static final Path LICENSES = Path.of("/usr/share/common-licenses");
    private static final Set<String> REASONS = Set.of("dup_para_frac", "dup_para_char_frac", "dup_line_frac",
            "dup_line_char_frac", "top_2_gram", "top_3_gram", "top_4_gram", "duplicated_5_n_grams",
            "duplicated_6_n_grams", "duplicated_7_n_grams", "duplicated_8_n_grams", "duplicated_9_n_grams",
            "duplicated_10_n_grams", "gopher_short_doc", "gopher_long_doc", "gopher_below_avg_threshold",
            "gopher_above_avg_threshold", "gopher_too_many_hashes", "gopher_too_many_ellipsis",
            "gopher_too_many_bullets", "gopher_too_many_end_ellipsis", "gopher_below_alpha_threshold",
            "gopher_enough_stop_words", "lorem_ipsum", "curly_bracket", "too_few_sentences", "line_punct_ratio",
            "short_line_ratio", "char_dup_ratio", "list_ratio");

    private final List<DocumentStep> steps = List.of(new GopherRepetitionFilter(), new GopherQualityFilter(),
            new C4QualityFilter(), new FineWebQualityFilter());

    /** Runs the steps in order; the kept document, or the first drop. */
    private Outcome pipeline(String text) {
        Document doc = new Document(text, "doc");
        for (DocumentStep step : steps) {
            Outcome outcome = step.apply(doc, new StepStats(step.name()));
            if (outcome instanceof Outcome.Drop) {
                return outcome;
            }
            doc = ((Outcome.Keep) outcome).document();
        }
        return Outcome.keep(doc);
    }

    private static String license(String name) throws IOException {
        Path file = LICENSES.resolve(name);
        assumeTrue(Files.isRegularFile(file), "no " + file);
        return Files.readString(file);
    }

    /** Paragraphs on one line each, as an extractor emits them. */
    private static String reflow(String text) {
        var lines = new ArrayList<String>();
        for (String paragraph : text.split("\n\\s*\n")) {
            String line = paragraph.strip().replaceAll("\\s*\n\\s*", " ");
            if (!line.isEmpty()) {
                lines.add(line);
            }
        }
        return String.join("\n", lines);
    }

    @Test
    void theGplIsKeptAsWrittenAndAsExtracted() throws IOException {
        String gpl = license("GPL-3");
        assertInstanceOf(Outcome.Keep.class, pipeline(gpl));
        String extracted = reflow(gpl);
        String kept = assertInstanceOf(Outcome.Keep.class, pipeline(extracted)).document().text();
        // C4 drops only the headings and the short lines; the prose stays.
        assertTrue(kept.length() > 0.95 * extracted.length(), kept.length() + " of " + extracted.length());
        assertTrue(kept.contains("The GNU General Public License is a free, copyleft license for software"));
        assertTrue(!kept.contains("\nPreamble\n"), "a one-word heading is dropped");
    }

    @Test
    void everyLicenceAndEachOfItsParagraphGroupsGetsAKnownOutcome() throws IOException {
        assumeTrue(Files.isDirectory(LICENSES));
        int documents = 0;
        int kept = 0;
        try (Stream<Path> files = Files.list(LICENSES)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                String text = Files.readString(file);
                String[] lines = reflow(text).split("\n");
                var docs = new ArrayList<String>(List.of(text, reflow(text)));
                for (int i = 0; i < lines.length; i += 6) {
                    docs.add(String.join("\n", List.of(lines).subList(i, Math.min(lines.length, i + 6))));
                }
                for (String doc : docs) {
                    Outcome outcome = pipeline(doc);
                    documents++;
                    if (outcome instanceof Outcome.Drop drop) {
                        assertTrue(REASONS.contains(drop.reason()), drop.reason());
                    } else {
                        kept++;
                    }
                }
            }
        }
        // Licences are mostly real prose, with numbered clauses and headings the filters rightly dislike.
        assertTrue(kept > documents / 3 && kept < documents, kept + " of " + documents + " kept");
    }

    @Test
    void webJunkIsDropped() {
        String menu = String.join("\n", "Home", "About us", "Products", "Contact", "Login", "Register", "Cart",
                "Search", "Help", "FAQ", "Blog", "Careers");
        // Gopher repetition fires first on such a short text: its first 4-gram, "Home About us Products", seen
        // once, is 22 of 80 characters (> 0.16), exactly as datatrove computes it.
        assertEquals("top_4_gram", ((Outcome.Drop) pipeline(menu)).reason());
        assertEquals("gopher_short_doc", new GopherQualityFilter().dropReason(menu));

        String prose = "The weather was mild and the garden had started to bloom after a long and grey winter. "
                + "We walked to the market, bought bread and cheese, and sat by the river with the children. "
                + "Later that evening the neighbours came over and we talked about the summer that was coming.";
        String more = "On Sunday my sister phoned to say that her new job in the city was going well. She has a small "
                + "flat near the station, and she cycles to the office when it does not rain. Next month she plans "
                + "to visit us, and the children have already started to make a list of places to show her.";
        assertInstanceOf(Outcome.Keep.class, pipeline(prose + "\n" + more));
        // Near-duplicate paragraphs are what the repetition rules catch.
        assertEquals("duplicated_5_n_grams", ((Outcome.Drop) pipeline(prose + "\n" + prose.replace("weather", "morning")))
                .reason());
        assertEquals("lorem_ipsum", ((Outcome.Drop) pipeline(prose + "\nLorem ipsum dolor sit amet, consectetur.")).reason());
        assertEquals("curly_bracket", ((Outcome.Drop) pipeline(prose + "\nfunction init() { return window.app; }"))
                .reason());
        assertEquals("dup_line_frac", ((Outcome.Drop) pipeline((prose + "\n").repeat(5))).reason());
        String hashtags = prose + " #summer #garden #bread #river #family #weekend #sunny #relax #food #life";
        assertEquals("gopher_too_many_hashes", ((Outcome.Drop) pipeline(hashtags)).reason());
    }

    @Test
    void hostileInputFinishesQuickly() {
        // A 1 MB line of one character, 100k newlines, and long runs of the characters that the Treebank and
        // Punkt regular expressions backtrack on in Python.
        var inputs = new ArrayList<String>();
        for (String unit : new String[] {"a", ".", "!", " ", "'", "\"", ",", "-", "`", "(", "#", "…", "a. ", "?)",
            ". \t", "n't ", "[1]", "{"}) {
            inputs.add(unit.repeat(1_000_000 / unit.length()));
        }
        inputs.add("\n".repeat(100_000));
        inputs.add("word\n\n".repeat(100_000));
        inputs.add("a" + " ".repeat(500_000) + ".");
        inputs.add("x." + " ".repeat(500_000) + "y");
        for (String input : inputs) {
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                Outcome outcome = pipeline(input);
                if (outcome instanceof Outcome.Drop drop) {
                    assertTrue(REASONS.contains(drop.reason()), drop.reason());
                }
            }, () -> "input of " + input.length() + " chars starting " + input.substring(0, 6).replace("\n", "\\n"));
        }
    }
}
