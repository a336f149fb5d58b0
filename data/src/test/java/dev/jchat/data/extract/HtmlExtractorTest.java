package dev.jchat.data.extract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.data.extract.HtmlExtractor.Extraction;
import dev.jchat.data.extract.HtmlExtractor.Options;
import dev.jchat.data.extract.HtmlExtractor.Status;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** One hand-written page per rule. Budgets are off so that results never depend on the machine. */
class HtmlExtractorTest {

    static final HtmlExtractor EXTRACTOR = new HtmlExtractor(Options.defaults().withTimeBudget(Duration.ZERO));

    /** Three paragraphs of prose (about 400 characters), more than MIN_EXTRACTED_SIZE. */
    static final String ARTICLE = """
            <p>The river rose quickly after three days of rain, and by Tuesday morning the lower town was under water.</p>
            <p>Volunteers filled sandbags at the school while the council opened the church hall for families who had to leave.</p>
            <p>Engineers said the new levee held, but they warned that the older wall near the mill would need repairs before winter.</p>
            """;

    static String page(String body) {
        return "<!DOCTYPE html><html><head><title>Title</title><script>var t = {a: 1};</script>"
                + "<style>p { color: red; }</style></head><body>" + body + "</body></html>";
    }

    static String extract(String body) {
        return EXTRACTOR.extractText(page(body), "https://example.com/a");
    }

    static final String EXPECTED_ARTICLE = """
            The river rose quickly after three days of rain, and by Tuesday morning the lower town was under water.
            Volunteers filled sandbags at the school while the council opened the church hall for families who had to leave.
            Engineers said the new levee held, but they warned that the older wall near the mill would need repairs before winter.""";

    @Test
    void pageFurnitureIsRemovedAndTheArticleKept() {
        String text = extract("""
                <header><div class="logo">Daily Planet</div><p>Your local news since 1901</p></header>
                <nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li></ul></nav>
                <div id="cookie-banner"><p>We use cookies to improve your experience. Accept all cookies?</p></div>
                <div class="consent-dialog"><p>Manage your privacy choices and consent settings here.</p></div>
                <div class="wrapper">
                  <aside><p>Popular this week: the best pies in town</p></aside>
                  <div class="sidebar"><h3>Archive</h3><p>Browse stories from earlier years of our archive</p></div>
                  <div class="breadcrumb">Home &gt; News &gt; Flood</div>
                  <article>%s
                    <div class="share-buttons"><p>Share this story with your friends today</p></div>
                  </article>
                  <section id="comments"><h3>3 comments</h3><p>Great article, thanks for writing it up!</p></section>
                  <div class="related-posts"><h3>Related</h3><p>Another flood hit the valley in the year 1998</p></div>
                  <div class="newsletter-signup"><p>Sign up for our newsletter and never miss a story again</p></div>
                </div>
                <footer><p>Copyright 2024 Daily Planet. All rights reserved.</p></footer>
                """.formatted(ARTICLE));
        assertEquals(EXPECTED_ARTICLE, text);
    }

    @Test
    void headingsListsQuotesCodeAndTablesBecomeLines() {
        String text = extract("""
                <main>
                  <h1>Making   bread</h1>
                  <p>Bread needs only four ingredients, and a little patience from the baker who makes it.</p>
                  <h2>Ingredients</h2>
                  <ul><li>500 g flour</li><li>10 g <b>salt</b></li><li>7 g yeast</li></ul>
                  <ol><li><p>Mix everything.</p></li><li>Knead for ten minutes
                    <ul><li>by hand</li><li>or by machine</li></ul></li></ol>
                  <blockquote><p>Good bread takes time.</p></blockquote>
                  <pre>knead(dough);\n  rest(dough, 60);   \n\n</pre>
                  <table><tr><th>Step</th><th>Minutes</th></tr><tr><td>Rise</td><td>60</td></tr>
                    <tr><td>Bake</td><td></td><td>35</td></tr></table>
                  <p>Line one<br>line two</p>
                </main>
                """);
        assertEquals("""
                Making bread
                Bread needs only four ingredients, and a little patience from the baker who makes it.
                Ingredients
                - 500 g flour
                - 10 g salt
                - 7 g yeast
                - Mix everything.
                - Knead for ten minutes
                - by hand
                - or by machine
                Good bread takes time.
                knead(dough);
                  rest(dough, 60);
                Step | Minutes
                Rise | 60
                Bake | 35
                Line one
                line two""", text);
    }

    @Test
    void layoutTablesAreNotJoinedIntoOneLine() {
        String text = extract("""
                <table><tr><td><p>The first column of this old layout holds a paragraph of running text.</p>
                <p>It even holds a second paragraph, which must stay on a line of its own.</p></td>
                <td><p>The second column says something else entirely about the same subject.</p></td></tr></table>
                """);
        assertEquals("""
                The first column of this old layout holds a paragraph of running text.
                It even holds a second paragraph, which must stay on a line of its own.
                The second column says something else entirely about the same subject.""", text);
    }

    @Test
    void linkDenseBlocksAreRemoved() {
        String text = extract("""
                <div class="content">%s
                  <p><a href="/a">Read the full report on the flood damage in the valley</a>.</p>
                  <p>Tags: <a href="/t/flood">flood</a>, <a href="/t/rain">rain</a>, <a href="/t/town">town</a></p>
                  <ul><li><a href="/1">First story</a></li><li><a href="/2">Second story</a></li></ul>
                  <div><a href="/">Home</a> | <a href="/about">About</a> | <a href="/contact">Contact</a></div>
                  <p>The mayor thanked <a href="/v">the volunteers</a> for their work through the long night.</p>
                </div>
                """.formatted(ARTICLE));
        assertEquals(EXPECTED_ARTICLE + "\nThe mayor thanked the volunteers for their work through the long night.", text);
    }

    @Test
    void sentencesWithSeveralShortLinksAreKept() {
        // trafilatura's favor_precision drops these (short paragraph, two or more short links); we keep prose
        String text = extract("""
                <article>%s<p><b>Escopete</b> is a <a href="/m">municipality</a> in the <a href="/p">province of
                Guadalajara</a>, <a href="/s">Spain</a>, with a small population.</p></article>
                """.formatted(ARTICLE));
        assertTrue(text.endsWith("Escopete is a municipality in the province of Guadalajara, Spain, with a small population."),
                text);
    }

    @Test
    void hiddenElementsAreRemoved() {
        String text = extract("""
                <article>%s
                  <div style="display: none"><p>Hidden by an inline style, this text must not appear.</p></div>
                  <div style="visibility:hidden">Invisible text</div>
                  <p hidden>Hidden by the hidden attribute.</p>
                  <div aria-hidden="true"><p>Hidden from assistive technology.</p></div>
                  <span class="sr-only">Screen reader only</span>
                  <div class="hidden">A hidden class</div>
                </article>
                """.formatted(ARTICLE));
        assertEquals(EXPECTED_ARTICLE, text);
    }

    @Test
    void scriptsStylesAndFormsNeverLeak() {
        String text = extract("""
                <article>%s
                  <script type="application/ld+json">{"@type": "NewsArticle", "articleBody": "x"}</script>
                  <noscript>Please enable JavaScript to view this site.</noscript>
                  <form><label>Email</label><input name="e"><button>Subscribe</button></form>
                  <iframe src="https://ads.example.com"></iframe><svg><text>chart label</text></svg>
                </article>
                """.formatted(ARTICLE));
        assertEquals(EXPECTED_ARTICLE, text);
    }

    @Test
    void theMainContentContainerIsPreferred() {
        String text = extract("""
                <div class="top"><p>This welcome message sits above the article and is not part of it at all.</p></div>
                <div class="entry-content">%s</div>
                <div class="bottom-box"><p>And this text comes after the article, in a box of its own below it.</p></div>
                """.formatted(ARTICLE));
        assertEquals(EXPECTED_ARTICLE, text);
    }

    @Test
    void pruningThatRemovesNearlyEverythingIsUndone() {
        // a wrapper whose class says "sidebar" holds the whole page: trafilatura keeps the unpruned tree
        String text = extract("<div class=\"layout-with-sidebar\">" + ARTICLE + "</div>");
        assertEquals(EXPECTED_ARTICLE, text);
    }

    @Test
    void looseTextIsDroppedWhenParagraphsCarryTheText() {
        String withParagraphs = extract("<div class=\"post\">" + ARTICLE + "<div>Posted on Monday by the editor</div></div>");
        assertEquals(EXPECTED_ARTICLE, withParagraphs);
        String onlyLoose = extract("<div>A page written without paragraphs<br>keeps its loose text<br>line by line</div>");
        assertEquals("A page written without paragraphs\nkeeps its loose text\nline by line", onlyLoose);
    }

    @Test
    void tinyPreciseResultFallsBackToAllParagraphs() {
        String html = page("""
                <main><p>A short introduction of under two hundred and fifty characters.</p></main>
                <div class="author-bio">
                  <p>The author has written about rivers for twenty years and lives near the old mill with two dogs.</p>
                  <p>Before that she worked as an engineer on the northern levee, which is why she cares about it.</p>
                </div>
                """);
        Extraction result = EXTRACTOR.extract(html, null);
        assertEquals(Status.EXTRACTED, result.status());
        assertTrue(result.fallback());
        assertEquals("""
                A short introduction of under two hundred and fifty characters.
                The author has written about rivers for twenty years and lives near the old mill with two dogs.
                Before that she worked as an engineer on the northern levee, which is why she cares about it.""",
                result.text());
    }

    @Test
    void repeatedBlocksAreKeptOnce() {
        String text = extract("""
                <article><p>Read more</p>%s<p>Read more</p>
                <p>The river rose quickly after three days of rain, and by Tuesday morning the lower town was under water.</p>
                <p>Read more</p><pre>x = 1
                x = 1</pre></article>
                """.formatted(ARTICLE));
        assertEquals("Read more\n" + EXPECTED_ARTICLE + "\nx = 1\nx = 1", text);
    }

    @Test
    void trailingHeadingsAreDroppedUnlessThePageIsOnlyHeadings() {
        assertEquals("Flood\n" + EXPECTED_ARTICLE, extract("<article><h2>Flood</h2>" + ARTICLE + "<h3>See also</h3></article>"));
        assertEquals("Open data for everyone.\nFree since 2007.",
                extract("<div class=\"hero\"><h1>Open data for everyone.</h1><h2>Free since 2007.</h2></div>"));
    }

    @Test
    void whitespaceIsNormalisedWithinABlock() {
        String text = extract("<article><p>  Tabs\tand\n\nnew&nbsp;lines&#8203; and  zero\u200bwidth "
                + "spaces in one para\u00adgraph, long enough to be the article body of this page here.</p>" + ARTICLE
                + "</article>");
        assertTrue(text.startsWith("Tabs and new lines and zerowidth spaces in one paragraph, long enough"), text);
    }

    @Test
    void socialLabelsAreDropped() {
        String text = extract("<article>" + ARTICLE + "<p>Facebook</p><p>Twitter</p><p>Print</p></article>");
        assertEquals(EXPECTED_ARTICLE, text);
    }

    @Test
    void spansInsideParagraphsAreNotMistakenForSections() {
        String text = extract("<article>" + ARTICLE + "<p>Our team is part of the <a href=\"/\"><span "
                + "class=\"span__link--on-dark\">Allen Institute</span></a>, a nonprofit research institute.</p></article>");
        assertTrue(text.endsWith("Our team is part of the Allen Institute, a nonprofit research institute."), text);
    }

    @Test
    void favorPrecisionOffKeepsHeaders() {
        var recall = new HtmlExtractor(Options.defaults().withTimeBudget(Duration.ZERO).withFavorPrecision(false));
        String html = page("<article><header><h1>Flood in the valley</h1></header>" + ARTICLE + "</article>");
        assertTrue(recall.extractText(html, null).startsWith("Flood in the valley\n"));
        assertFalse(EXTRACTOR.extractText(html, null).contains("Flood in the valley"));
    }

    @Test
    void emptyAndNonHtmlInputs() {
        assertEquals(Status.EMPTY, EXTRACTOR.extract("", null).status());
        assertEquals(Status.EMPTY, EXTRACTOR.extract(null, null).status());
        assertEquals(Status.EMPTY, EXTRACTOR.extract("   \n ", null).status());
        assertEquals(Status.EMPTY, EXTRACTOR.extract(page("<nav><a href=\"/\">Home</a></nav>"), null).status());
        assertEquals(Status.EMPTY, EXTRACTOR.extract("<html><body><p>  | • | </p></body></html>", null).status());
        assertEquals(Status.NOT_HTML, EXTRACTOR.extract("\u0000\u0001\u0002binary\u0003\u0004\u0005", null).status());
        assertEquals("", EXTRACTOR.extract("\ufffd\ufffd\ufffd\ufffd", null).text());
    }

    @Test
    void oversizedHtmlIsCut() {
        var small = new HtmlExtractor(Options.defaults().withTimeBudget(Duration.ZERO).withMaxHtmlChars(300));
        Extraction result = small.extract(page(ARTICLE + "<p>" + "tail ".repeat(1000) + "</p>"), null);
        assertTrue(result.truncated());
        assertEquals(Status.EXTRACTED, result.status());
        assertTrue(result.text().startsWith("The river rose quickly"), result.text());
    }

    @Test
    void optionsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> Options.defaults().withTimeBudget(Duration.ofMillis(-1)));
        assertThrows(IllegalArgumentException.class, () -> Options.defaults().withMaxHtmlChars(0));
        assertEquals(Duration.ofMillis(100), Options.defaults().timeBudget());
    }
}
