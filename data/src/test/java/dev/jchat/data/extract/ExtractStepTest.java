package dev.jchat.data.extract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.jchat.data.Document;
import dev.jchat.data.Outcome;
import dev.jchat.data.StepStats;
import dev.jchat.data.extract.HtmlExtractor.Options;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExtractStepTest {

    static final String HTML = "<html><body><nav><a href=\"/\">Home</a></nav><article>" + HtmlExtractorTest.ARTICLE
            + "</article></body></html>";

    static Document doc(String html) {
        return new Document(html, "<urn:uuid:1>", Map.of(Document.URL, "https://example.com/", Document.DUMP, "CC-MAIN-2024-22"));
    }

    @Test
    void replacesTheHtmlWithTheExtractedText() {
        var stats = new StepStats("extract");
        var step = new ExtractStep();
        assertEquals("extract", step.name());
        Outcome outcome = step.apply(doc(HTML), stats);
        var keep = assertInstanceOf(Outcome.Keep.class, outcome);
        assertEquals(HtmlExtractorTest.EXPECTED_ARTICLE, keep.document().text());
        assertEquals("<urn:uuid:1>", keep.document().id());
        assertEquals("https://example.com/", keep.document().url());
        assertEquals("CC-MAIN-2024-22", keep.document().get(Document.DUMP));
        assertEquals(Map.of("extracted", 1L), stats.counts());
    }

    @Test
    void dropsEmptyResults() {
        var stats = new StepStats("extract");
        var drop = assertInstanceOf(Outcome.Drop.class,
                new ExtractStep().apply(doc("<html><body><nav>Home</nav></body></html>"), stats));
        assertEquals("empty", drop.reason());
        assertEquals(Map.of("extracted", 1L), stats.counts());
    }

    @Test
    void dropsBinaryGarbage() {
        var stats = new StepStats("extract");
        var drop = assertInstanceOf(Outcome.Drop.class, new ExtractStep().apply(doc("\u0000\u0001\u0002\u0003"), stats));
        assertEquals("not_html", drop.reason());
        assertEquals(1, stats.count("not_html"));
    }

    @Test
    void dropsTimeouts() {
        var stats = new StepStats("extract");
        var step = new ExtractStep(new HtmlExtractor(Options.defaults().withTimeBudget(Duration.ofNanos(1))));
        String big = "<html><body>" + "<div><p>Some text in a paragraph.</p></div>".repeat(5_000) + "</body></html>";
        var drop = assertInstanceOf(Outcome.Drop.class, step.apply(doc(big), stats));
        assertEquals("timeout", drop.reason());
        assertEquals(Map.of("timeout", 1L), stats.counts());
    }

    @Test
    void dropsDocumentsTheExtractorFailsOn() {
        var stats = new StepStats("extract");
        var step = new ExtractStep((html, url) -> {
            throw new IllegalStateException("parser bug");
        });
        var drop = assertInstanceOf(Outcome.Drop.class, step.apply(doc(HTML), stats));
        assertEquals("clean_error", drop.reason());
        assertEquals(Map.of("clean_error", 1L), stats.counts());
    }

    @Test
    void countsTruncationAndFallback() {
        var stats = new StepStats("extract");
        // the main paragraph alone is under 250 characters; the wide fallback adds the author box
        String html = "<html><body><main><p>" + "main text ".repeat(10) + "</p></main><div class=\"author\"><p>"
                + "about the author ".repeat(12) + "</p></div></body></html><!--" + "padding ".repeat(100) + "-->";
        var step = new ExtractStep(new HtmlExtractor(
                Options.defaults().withTimeBudget(Duration.ZERO).withMaxHtmlChars(html.length() - 400)));
        assertInstanceOf(Outcome.Keep.class, step.apply(doc(html), stats));
        assertEquals(1, stats.count("html_truncated"));
        assertEquals(1, stats.count("fallback"));
        assertEquals(1, stats.count("extracted"));
    }
}
