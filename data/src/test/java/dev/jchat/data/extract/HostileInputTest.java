package dev.jchat.data.extract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.data.extract.HtmlExtractor.Extraction;
import dev.jchat.data.extract.HtmlExtractor.Options;
import dev.jchat.data.extract.HtmlExtractor.Status;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

/**
 * Inputs built to hurt: huge, deeply nested, binary, malformed. The extractor must return (never throw), and
 * within its budget: the budget is checked every few hundred nodes, so it may overrun by a little.
 */
class HostileInputTest {

    static final HtmlExtractor EXTRACTOR = new HtmlExtractor();
    static final long BUDGET = EXTRACTOR.options().timeBudget().toNanos();
    /** Overrun allowed past the budget: one check interval, plus the cut of a huge string. */
    static final long SLACK = Duration.ofMillis(150).toNanos();

    static Extraction timed(String html) {
        long start = System.nanoTime();
        Extraction result = EXTRACTOR.extract(html, "https://example.com/");
        long wall = System.nanoTime() - start;
        assertTrue(result.nanos() <= BUDGET + SLACK, "took " + result.nanos() / 1e6 + " ms of budget");
        assertTrue(wall < Duration.ofSeconds(10).toNanos(), "took " + wall / 1e6 + " ms wall");
        assertTrue(result.status() == Status.TIMEOUT || result.nanos() <= BUDGET + SLACK);
        return result;
    }

    @Test
    void fiftyMegabytePageIsCutAndBounded() {
        var html = new StringBuilder(50_000_100).append("<html><body><article>");
        String paragraph = "<p>Paragraph of a very long page, with <a href=\"/x\">a link</a> and <b>bold</b> text.</p>\n";
        while (html.length() < 50_000_000) {
            html.append(paragraph);
        }
        Extraction result = timed(html.toString());
        assertTrue(result.truncated());
        assertTrue(Set.of(Status.EXTRACTED, Status.TIMEOUT).contains(result.status()), result.status().toString());
    }

    @Test
    void hundredThousandNestedElementsDoNotOverflowTheStack() {
        for (String tag : new String[] {"div", "span", "b", "li", "table", "a"}) {
            String html = ("<" + tag + ">").repeat(100_000) + "deep text" + ("</" + tag + ">").repeat(100_000);
            Extraction result = timed(html);
            assertTrue(Set.of(Status.EXTRACTED, Status.TIMEOUT, Status.EMPTY).contains(result.status()), tag);
        }
        // without a budget the walk still finishes: jsoup closes elements beyond depth 256, our walk is iterative
        var unlimited = new HtmlExtractor(Options.defaults().withTimeBudget(Duration.ZERO));
        Extraction deep = unlimited.extract("<span>".repeat(100_000) + "deep text", null);
        assertEquals("deep text", deep.text());
    }

    @Test
    void binaryGarbageIsNotHtml() {
        var random = new Random(42);
        byte[] bytes = new byte[200_000];
        random.nextBytes(bytes);
        assertEquals(Status.NOT_HTML, timed(new String(bytes, StandardCharsets.ISO_8859_1)).status());
        assertEquals(Status.NOT_HTML, timed(new String(bytes, StandardCharsets.UTF_8)).status());
        // as UTF-16 random bytes become valid CJK-like text: any outcome but an exception or an overrun
        timed(new String(bytes, StandardCharsets.UTF_16LE));
    }

    @Test
    void emptyAndDegenerateInputs() {
        for (String html : new String[] {"", " ", "<", "<<<<>>>>", "</p></div></body>", "<html>", "<!-- <p>x</p>",
                "<p>unclosed <b>bold <i>italic", "<table><td>cell", "<pre>", "&#xFFFFFF; &#0; &bogus;", "<br>".repeat(10_000),
                "<script>" + "x".repeat(100_000), "<![CDATA[ not html ]]>", "\uD800 lone surrogate"}) {
            Extraction result = timed(html);
            assertTrue(result.status() != Status.TIMEOUT, html);
        }
        assertEquals("unclosed bold italic", EXTRACTOR.extractText("<p>unclosed <b>bold <i>italic", null));
    }

    @Test
    void manyTinyElementsAndHugeAttributesStayFast() {
        timed("<div class=\"" + "menu ".repeat(200_000) + "\">x</div>");
        timed("<p>" + "<a href=\"#\">w</a> ".repeat(100_000) + "</p>");
        timed("<ul>" + "<li>item</li>".repeat(100_000) + "</ul>");
        timed("<table>" + "<tr><td>a</td><td>b</td></tr>".repeat(50_000) + "</table>");
    }

    @Test
    void aTinyBudgetTimesOut() {
        var hurried = new HtmlExtractor(Options.defaults().withTimeBudget(Duration.ofNanos(1)));
        String html = "<html><body>" + "<div><p>Some text in a paragraph.</p></div>".repeat(5_000) + "</body></html>";
        Extraction result = hurried.extract(html, null);
        assertEquals(Status.TIMEOUT, result.status());
        assertEquals("", result.text());
    }

    @Property(tries = 300)
    void arbitraryMarkupNeverThrows(@ForAll @StringLength(max = 400) String noise) {
        String html = "<html><body><p>" + noise.replace("x", "<div>").replace("y", "</p>").replace("z", "<a href=/>")
                + "</body></html>";
        Extraction result = EXTRACTOR.extract(html, null);
        assertTrue(result.text().lines().noneMatch(String::isBlank), result.text());
    }
}
