package dev.jchat.data.extract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.data.extract.HtmlExtractor.Extraction;
import dev.jchat.data.extract.HtmlExtractor.Status;
import dev.jchat.data.io.SharedData;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.netpreserve.jwarc.MediaType;
import org.netpreserve.jwarc.WarcReader;
import org.netpreserve.jwarc.WarcRecord;
import org.netpreserve.jwarc.WarcResponse;

/**
 * Every HTML response of the five sample WARCs (Common Crawl pages in Aragonese, Chinese, Russian, …;
 * semanticscholar.org, cs.washington.edu, creativecommons.org, commoncrawl.org, …), with the default
 * extractor and its default time budget. Bodies are decoded with the Content-Type charset, else UTF-8.
 */
class SampleWarcExtractionTest {

    static final String[] WARCS = {"whirlwind.warc.gz", "resiliparse-cc-main-2020-34.warc.gz",
            "dolma-sample-0000.warc.gz", "dolma-sample-0001.warc.gz", "warcio-example.warc.gz"};

    record Page(String url, String html) {}

    static final List<Page> PAGES = new ArrayList<>();
    static final Map<String, Extraction> RESULTS = new LinkedHashMap<>();
    static final HtmlExtractor EXTRACTOR = new HtmlExtractor();

    @BeforeAll
    static void extractEveryPage() throws IOException {
        for (String warc : WARCS) {
            try (var reader = new WarcReader(SharedData.path("warc/" + warc))) {
                for (WarcRecord record : reader) {
                    if (record instanceof WarcResponse response && isHtml(response)) {
                        PAGES.add(new Page(response.target(), decode(response)));
                    }
                }
            }
        }
        for (Page page : PAGES) {
            RESULTS.put(page.url(), EXTRACTOR.extract(page.html(), page.url()));
        }
    }

    static boolean isHtml(WarcResponse response) throws IOException {
        MediaType type = response.http().contentType();
        return type != null && type.base().toString().equalsIgnoreCase("text/html");
    }

    static String decode(WarcResponse response) throws IOException {
        byte[] body = response.http().bodyDecoded().stream().readAllBytes();
        Charset charset = StandardCharsets.UTF_8;
        String label = response.http().contentType().parameters().get("charset");
        if (label != null && Charset.isSupported(label)) {
            charset = Charset.forName(label);
        }
        return new String(body, charset);
    }

    static String text(String url) {
        Extraction result = RESULTS.get(url);
        assertTrue(result != null, "no page " + url);
        return result.text();
    }

    @Test
    void everyHtmlResponseIsExtractedWithinTheBudget() {
        assertEquals(55, PAGES.size());
        long budget = EXTRACTOR.options().timeBudget().toNanos();
        RESULTS.forEach((url, result) -> {
            assertNotEquals(Status.TIMEOUT, result.status(), url);
            assertTrue(result.nanos() < budget, url + " took " + result.nanos() / 1e6 + " ms");
            if (result.status() == Status.NOT_HTML) {
                // a GB2312 page without a charset header, decoded here as UTF-8: mostly U+FFFD
                assertTrue(PAGES.stream().filter(p -> p.url().equals(url)).findFirst().orElseThrow()
                        .html().chars().filter(c -> c == '\ufffd').count() > 100, url);
            }
        });
        var notExtracted = new ArrayList<String>();
        RESULTS.forEach((url, result) -> {
            if (result.status() != Status.EXTRACTED) {
                notExtracted.add(result.status() + " " + url);
            }
        });
        assertEquals(List.of("NOT_HTML http://096355.com/video/11073.html?11073-0-2"), notExtracted);
    }

    @Test
    void outputIsLinesOfTextWithoutScriptsOrMarkup() {
        RESULTS.forEach((url, result) -> {
            String text = result.text();
            assertEquals(text.strip(), text, url);
            if (text.isEmpty()) {
                return;
            }
            for (String line : text.split("\n", -1)) {
                assertFalse(line.isBlank(), url + ": blank line");
                assertEquals(line.stripTrailing(), line, url);
                for (String script : new String[] {"function(", "document.getElement", "document.write", "document.cookie",
                        "window.location", "dataLayer", "gtag(", "jQuery", "=>", "</", "<div", "<script", "&nbsp;", "&amp;"}) {
                    assertFalse(line.contains(script), url + ": " + line);
                }
            }
            long braces = text.chars().filter(c -> c == '{' || c == '}').count();
            assertTrue(braces <= 2, url + " has " + braces + " braces");
        });
    }

    @Test
    void articlePagesHaveManyLines() {
        Map<String, Integer> minLines = Map.of(
                "https://an.wikipedia.org/wiki/Escopete", 10,
                "https://www.semanticscholar.org/research/research-team", 50,
                "https://maria-antoniak.github.io/2023/07/04/notes-on-mastodon.html", 20,
                "https://maria-antoniak.github.io/2022/07/27/topic-modeling-for-the-people.html", 20,
                "https://creativecommons.org/2024/03/28/cc-joins-civil-society-letter-urging-u-s-to-support-openness-and-transparency-in-ai/", 3,
                "https://creativecommons.org/2024/04/23/cc-at-wipo-slow-progress-on-copyright-exceptions-for-cultural-heritage-institutions/", 5,
                "https://commoncrawl.org/faq", 20,
                "https://soldaini.net/lineage/", 8);
        minLines.forEach((url, min) -> {
            long lines = text(url).lines().count();
            assertTrue(lines >= min, url + " has " + lines + " lines");
        });
    }

    @Test
    void mainTextIsKept() {
        Map<String, String> sentences = new LinkedHashMap<>();
        sentences.put("https://an.wikipedia.org/wiki/Escopete",
                "Escopete ye citato en as Relaciones Topográficas de los pueblos de Espanya, feitas por Felipe II de Castiella en 1578.");
        sentences.put("http://003338.cn/l41/481397.html", "香港金融管理局总裁余伟文22日撰文指出");
        sentences.put("http://01spb.ru/company/",
                "узкоспециализированное предприятие ориентированное на комплексные услуги пожарной безопасности");
        sentences.put("http://037426.cn/", "BONDTEK places strong emphasis not only on a product quality");
        sentences.put("https://www.semanticscholar.org/research/research-team",
                "Our team is part of the Allen Institute for AI, a nonprofit research institute advancing AI for the common good.");
        sentences.put("https://www.cs.washington.edu/people/faculty/weld",
                "Dan is an active entrepreneur with several patents and technology licenses.");
        sentences.put("https://soldaini.net/lineage/",
                "\n1 | Nazli Goharian | Information Retrieval, Natural Language Processing | A Sparse Matrix Approach");
        sentences.put("https://maria-antoniak.github.io/2023/07/04/notes-on-mastodon.html",
                "\n- When viewing the replies to a post, you only see the replies known to your server. The rest are hidden.\n");
        sentences.put("https://maria-antoniak.github.io/2020/03/25/pip.html",
                "\npython3 -m pip install --user --upgrade setuptools wheel\n");
        sentences.put("https://creativecommons.org/2024/03/28/cc-joins-civil-society-letter-urging-u-s-to-support-openness-and-transparency-in-ai/",
                "This week, we joined a broad coalition of civil society and leading academics urging a tailored, evidence-driven approach.");
        sentences.put("https://creativecommons.org/2024/04/23/cc-at-wipo-slow-progress-on-copyright-exceptions-for-cultural-heritage-institutions/",
                "Last week, Creative Commons (CC) participated in the 45th session of the World Intellectual Property Organization");
        sentences.put("https://commoncrawl.org/ccbot",
                "To prevent Common Crawl from crawling your website, include the following in your robots.txt:");
        sentences.put("https://commoncrawl.org/faq",
                "Common Crawl is a 501(c)(3) non-profit organization dedicated to providing a copy of the Internet");
        sentences.put("http://example.com/", "This domain is established to be used for illustrative examples in documents.");
        sentences.forEach((url, sentence) -> assertTrue(text(url).contains(sentence), url + ":\n" + text(url)));
    }

    @Test
    void menusFootersCookieNoticesAndRelatedLinksAreGone() {
        Map<String, List<String>> absent = new LinkedHashMap<>();
        absent.put("https://an.wikipedia.org/wiki/Escopete", List.of("Portalada", "Zaguers cambeos", "Creyar cuenta",
                "Declaración de cookies", "Politica de privacidat", "O texto ye disponible", "editar", "Contenidos"));
        absent.put("https://www.semanticscholar.org/research/research-team", List.of("Sign In", "Create Free Account",
                "Your submission has been received", "Your feedback has been submitted", "Careers", "Remove A Paper"));
        absent.put("https://allenai.org/", List.of("Business Code of Conduct", "Terms and Conditions", "Press Resources",
                "All Rights Reserved"));
        absent.put("https://commoncrawl.org/ccbot", List.of("Mailing List Archive", "Privacy Policy", "Research Papers"));
        for (String url : List.of("https://creativecommons.org/", "https://creativecommons.org/mission/",
                "https://creativecommons.org/2024/03/28/cc-joins-civil-society-letter-urging-u-s-to-support-openness-and-transparency-in-ai/",
                "https://creativecommons.org/2024/04/23/cc-at-wipo-slow-progress-on-copyright-exceptions-for-cultural-heritage-institutions/")) {
            absent.put(url, List.of("Who We Are", "Licenses and Tools", "Support Our Work", "Subscribe to our Newsletter",
                    "Except where otherwise noted", "Donate Now", "Related posts", "Tags", "Posted 28 March 2024",
                    "Read the full letter"));
        }
        // a menu item or tag is a whole line (or list item); longer boilerplate phrases may sit inside a line
        absent.forEach((url, strings) -> {
            String text = text(url);
            for (String s : strings) {
                assertFalse(text.lines().anyMatch(line -> line.equals(s) || line.equals("- " + s)
                        || (s.length() >= 15 && line.contains(s))), url + " still has '" + s + "':\n" + text);
            }
        });
    }
}
