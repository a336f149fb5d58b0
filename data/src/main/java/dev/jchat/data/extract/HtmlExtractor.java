package dev.jchat.data.extract;

import dev.jchat.data.extract.BlockWalker.Block;
import dev.jchat.data.extract.BlockWalker.Kind;
import dev.jchat.data.extract.BlockWalker.Mode;
import java.time.Duration;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jsoup.nodes.Attributes;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.parser.Parser;
import org.jsoup.parser.StreamParser;

/**
 * Main-content extraction in the spirit of trafilatura with {@code favor_precision=True,
 * include_comments=False}, as FineWeb ran it: HTML in, plain text out, one block per line (paragraphs,
 * headings, list items as "- item", quotes, code lines, table rows as "cell | cell"), or "" when nothing
 * useful is left. Pure and thread-safe; all state lives in the call.
 *
 * <ol>
 *   <li>Parse with jsoup's stream parser, so the time budget is checked while parsing too. HTML longer than
 *       {@link Options#maxHtmlChars} is cut there first (Common Crawl itself truncates payloads at 1 MiB).</li>
 *   <li>Find main-content candidates in trafilatura's order (BODY_XPATH): known article-body classes, the
 *       first {@code <article>}, story/blog classes, content/main-content classes, then {@code <main>} or
 *       class/id/role starting with "main". The first whose walk yields at least two blocks wins, else the
 *       whole body.</li>
 *   <li>Walk it ({@link BlockWalker}): drop script/style/nav/aside/footer/forms/iframes/… (and {@code <header>}
 *       when favouring precision), hidden elements, boilerplate classes and ids (navigation, menus, cookie
 *       and consent notices, sharing, comments, related posts, ads, …), link-dense blocks and containers.
 *       If the class rules took more than 6/7 of the text, walk again without them.</li>
 *   <li>Loose text outside paragraphs (bare text in divs) is kept only when the paragraphs hold less than
 *       MIN_EXTRACTED_SIZE (250) characters; trailing headings are dropped.</li>
 *   <li>Below 250 characters, a wide fallback (trafilatura's baseline: every paragraph, quote and code block
 *       of the body) replaces the result when it is longer.</li>
 *   <li>Repeated lines within the page are kept once (code excepted).</li>
 * </ol>
 *
 * <p>Deliberate departures from trafilatura 1.8 with favor_precision: a paragraph under 200 characters with
 * several short links is kept when it reads as a sentence (8+ words outside links, terminal punctuation),
 * where trafilatura drops Wikipedia's opening sentences with the tag lists; class rules do not apply to spans
 * inside running text ({@code <span class="link-…">} around a link's text); figures holding code are kept
 * like those holding tables; a page made only of headings keeps them; the fallback never dumps the whole
 * body text. Class and id patterns match case-insensitively, per token.
 *
 * <p>Not done: trafilatura's readability/jusText comparison, its JSON-LD articleBody rescue, and its
 * process-wide cache that drops paragraphs seen in more than two earlier documents (a pure step cannot keep
 * state across documents; MinHash deduplication runs later in the pipeline).
 */
public final class HtmlExtractor {

    /** How an extraction ended. */
    public enum Status { EXTRACTED, EMPTY, NOT_HTML, TIMEOUT }

    /**
     * The text ("" unless {@code EXTRACTED}), how it ended, whether the HTML was cut to the size cap, whether
     * the wide fallback supplied the text, and the time spent on the extractor's clock.
     */
    public record Extraction(String text, Status status, boolean truncated, boolean fallback, long nanos) {}

    /**
     * {@code timeBudget}: per-document budget, parse included (zero: none). Default 100 ms of the thread's
     * CPU time. datatrove v0.2.0 gave Python trafilatura 0.1 s of wall time, a few times its typical page;
     * this extractor takes about 1 ms on a typical page (0.8 ms of it jsoup's parse), so 100 ms is some
     * 100 times that: only pathological pages hit it (hundreds of thousands of nested blocks, a megabyte of
     * dense markup, which FineWeb's 0.1 s dropped too), and a worker loses at most a tenth of a second to
     * each. CPU time, not wall time, so that an oversubscribed machine does not drop pages a quiet one keeps;
     * and the first extractor of a JVM warms up on a synthetic page, so that class loading and the
     * interpreter do not time out the first pages. {@code maxHtmlChars}: longer HTML is cut to this many
     * characters before parsing (default 1,000,000, about Common Crawl's own 1 MiB payload cap).
     * {@code favorPrecision}: trafilatura's favor_precision (default true). {@code minExtractedSize}: below
     * this many characters the wide fallback is tried (trafilatura's MIN_EXTRACTED_SIZE, 250).
     * {@code cpuClock}: budget in thread CPU time (default) or wall time.
     */
    public record Options(Duration timeBudget, int maxHtmlChars, boolean favorPrecision, int minExtractedSize,
                          boolean cpuClock) {
        public Options {
            if (timeBudget == null || timeBudget.isNegative()) {
                throw new IllegalArgumentException("time budget must be zero or positive");
            }
            if (maxHtmlChars <= 0 || minExtractedSize < 0) {
                throw new IllegalArgumentException("maxHtmlChars must be positive, minExtractedSize not negative");
            }
        }

        public static Options defaults() {
            return new Options(Duration.ofMillis(100), 1_000_000, true, 250, true);
        }

        public Options withTimeBudget(Duration budget) {
            return new Options(budget, maxHtmlChars, favorPrecision, minExtractedSize, cpuClock);
        }

        public Options withMaxHtmlChars(int chars) {
            return new Options(timeBudget, chars, favorPrecision, minExtractedSize, cpuClock);
        }

        public Options withFavorPrecision(boolean precision) {
            return new Options(timeBudget, maxHtmlChars, precision, minExtractedSize, cpuClock);
        }
    }

    /**
     * Deeper elements are closed by the parser (their content kept as siblings). jsoup's default is 512; no
     * real page nests this deep, and the parse of deeply nested blocks costs O(depth) per element.
     */
    private static final int MAX_DEPTH = 256;
    private static final int BINARY_SAMPLE = 4096;

    private final Options options;
    private final AttributePatterns patterns = AttributePatterns.DEFAULT;

    public HtmlExtractor() {
        this(Options.defaults());
    }

    public HtmlExtractor(Options options) {
        this.options = options;
        if (!options.timeBudget().isZero()) {
            warmUp();
        }
    }

    private static volatile boolean warm;

    /**
     * Once per JVM, extracts a synthetic page a few dozen times (about 0.3 s): the first call otherwise
     * spends some 200 ms loading classes and the next few run interpreted, which would make a JVM's first
     * pages time out where later ones would not.
     */
    static synchronized void warmUp() {
        if (warm) {
            return;
        }
        var page = new StringBuilder("<html><head><title>t</title><script>var x = {a: 1};</script></head><body>");
        page.append("<header><nav class=\"menu\"><ul><li><a href=\"/\">Home</a></li><li><a href=\"/a\">About</a>")
                .append("</li></ul></nav></header><div id=\"cookie-banner\"><p>We use cookies.</p></div><main>");
        for (int i = 0; i < 40; i++) {
            page.append("<article class=\"post-content\"><h2>Heading ").append(i).append("</h2><p>Some text with ")
                    .append("<a href=\"/x\">a link</a>, <b>bold</b> and <span class=\"note\">spans</span>.</p>")
                    .append("<ul><li>item one</li><li>item <i>two</i></li></ul><table><tr><th>a</th><th>b</th></tr>")
                    .append("<tr><td>1</td><td>2</td></tr></table><pre>code\n  line</pre><div class=\"share\">")
                    .append("<a href=\"/s\">Share</a></div><blockquote>quote</blockquote><div>loose text<br>more")
                    .append("</div></article>");
        }
        page.append("</main><footer>footer</footer></body></html>");
        var extractor = new HtmlExtractor(Options.defaults().withTimeBudget(Duration.ZERO));
        String html = page.toString();
        for (int i = 0; i < 30; i++) {
            extractor.extract(html, "https://example.com/");
        }
        warm = true;
    }

    public Options options() {
        return options;
    }

    /** The extracted text, or "" (nothing useful, not HTML, or out of time). */
    public String extractText(String html, String url) {
        return extract(html, url).text();
    }

    public Extraction extract(String html, String url) {
        Deadline deadline = Deadline.start(options.timeBudget().toNanos(), options.cpuClock());
        boolean truncated = false;
        if (html == null || html.isBlank()) {
            return new Extraction("", Status.EMPTY, false, false, deadline.elapsed());
        }
        if (html.length() > options.maxHtmlChars()) {
            int cut = options.maxHtmlChars();
            if (Character.isHighSurrogate(html.charAt(cut - 1))) {
                cut--;
            }
            html = html.substring(0, cut);
            truncated = true;
        }
        if (looksBinary(html)) {
            return new Extraction("", Status.NOT_HTML, truncated, false, deadline.elapsed());
        }
        try {
            Document doc = parse(html, url, deadline);
            Result result = extract(doc.body(), deadline);
            String text = render(result.blocks());
            Status status = text.isEmpty() ? Status.EMPTY : Status.EXTRACTED;
            return new Extraction(text, status, truncated, result.fallback(), deadline.elapsed());
        } catch (Deadline.Expired e) {
            return new Extraction("", Status.TIMEOUT, truncated, false, deadline.elapsed());
        }
    }

    private record Result(List<Block> blocks, boolean fallback) {}

    private Result extract(Element body, Deadline deadline) {
        if (body == null) {
            return new Result(List.of(), false);
        }
        Mode precise = new Mode(false, options.favorPrecision(), true);
        List<Block> blocks = null;
        for (Element candidate : candidates(body, deadline)) {
            if (candidate == null) {
                continue;
            }
            List<Block> found = walk(candidate, precise, deadline);
            if (found.size() > 1) {
                blocks = found;
                break;
            }
        }
        if (blocks == null) {
            blocks = walk(body, precise, deadline);
        }
        if (length(blocks) < options.minExtractedSize()) {
            List<Block> wide = walk(body, new Mode(true, options.favorPrecision(), true), deadline);
            if (length(wide) > length(blocks)) {
                return new Result(wide, true);
            }
        }
        return new Result(blocks, false);
    }

    /** One walk, again without class rules if they removed nearly everything, then the block-level policies. */
    private List<Block> walk(Element root, Mode mode, Deadline deadline) {
        var walker = new BlockWalker(mode, deadline, patterns);
        List<Block> blocks = walker.walk(root);
        if (walker.prunedTooMuch()) {
            blocks = new BlockWalker(mode.withoutClassRules(), deadline, patterns).walk(root);
        }
        if (mode.wide()) {
            return blocks;
        }
        int paragraphs = 0;
        for (Block b : blocks) {
            if (b.kind() == Kind.PARAGRAPH) {
                paragraphs += b.text().length();
            }
        }
        // trafilatura only takes text outside <p> (div text) when the paragraphs are too short
        int factor = mode.precision() ? 1 : 3;
        if (paragraphs >= options.minExtractedSize() * factor) {
            blocks.removeIf(b -> b.kind() == Kind.LOOSE);
        }
        if (mode.precision() && blocks.stream().anyMatch(b -> b.kind() != Kind.HEADING)) {
            // trailing headings lead nowhere; a page of headings only (a hero banner) keeps them
            while (blocks.getLast().kind() == Kind.HEADING) {
                blocks.removeLast();
            }
        }
        return blocks;
    }

    private static int length(List<Block> blocks) {
        int n = 0;
        for (Block b : blocks) {
            n += b.text().length();
        }
        return n;
    }

    /**
     * First element of each tier of trafilatura's BODY_XPATH, in document order. Skips removed tags, hidden
     * elements and comment sections; an element with boilerplate classes is no candidate itself.
     */
    private Element[] candidates(Element body, Deadline deadline) {
        Element[] tiers = new Element[5];
        // <header> is searched (trafilatura prunes it only inside the chosen container): some sites put
        // their whole page in a "hero" header
        int removeTags = BlockWalker.REMOVE | BlockWalker.REMOVE_WIDE;
        int notCandidate = AttributePatterns.BOILERPLATE | AttributePatterns.CORE | AttributePatterns.HIDDEN
                | AttributePatterns.COMMENTS | (options.favorPrecision() ? AttributePatterns.PRECISION : 0);
        int visited = 0;
        Node node = body.firstChild();
        while (node != null) {
            if ((++visited & 255) == 0) {
                deadline.check();
            }
            boolean descend = false;
            if (node instanceof Element el) {
                String tag = el.normalName();
                int flags = BlockWalker.flags(tag);
                descend = (flags & removeTags) == 0;
                if (descend && el.attributesSize() > 0) {
                    Attributes at = el.attributes();
                    if (at.hasKey("hidden") || BlockWalker.hiddenStyle(at.get("style"))) {
                        descend = false;
                    } else {
                        boolean container = tag.equals("div") || tag.equals("section") || tag.equals("article")
                                || tag.equals("main");
                        int bits = container || (flags & BlockWalker.CLASSED) != 0
                                ? patterns.match(at.get("class"), at.get("id")) | BlockWalker.roleBits(at.get("role"))
                                : 0;
                        if ((bits & AttributePatterns.COMMENTS) != 0) {
                            descend = false;
                        } else if (container && (bits & notCandidate) == 0) {
                            String role = at.get("role");
                            boolean mainTag = tag.equals("main");
                            if (tiers[0] == null && ((bits & AttributePatterns.TIER1) != 0
                                    || at.get("itemprop").equalsIgnoreCase("articleBody"))) {
                                tiers[0] = el;
                                break;
                            }
                            if (tiers[2] == null && ((bits & AttributePatterns.TIER3) != 0
                                    || role.equalsIgnoreCase("article"))) {
                                tiers[2] = el;
                            }
                            if (tiers[3] == null && (bits & AttributePatterns.TIER4) != 0) {
                                tiers[3] = el;
                            }
                            if (tiers[4] == null && (mainTag || (bits & AttributePatterns.TIER5) != 0
                                    || role.toLowerCase(Locale.ROOT).startsWith("main"))) {
                                tiers[4] = el;
                            }
                        }
                    }
                }
                if (descend && tiers[1] == null && tag.equals("article") && notBoilerplate(el, notCandidate)) {
                    tiers[1] = el;
                }
                if (descend && tiers[4] == null && tag.equals("main") && el.attributesSize() == 0) {
                    tiers[4] = el;
                }
            }
            if (descend && node.childNodeSize() > 0) {
                node = node.firstChild();
                continue;
            }
            while (node != null && node != body && node.nextSibling() == null) {
                node = node.parentNode();
            }
            node = node == null || node == body ? null : node.nextSibling();
        }
        return tiers;
    }

    private boolean notBoilerplate(Element el, int mask) {
        if (el.attributesSize() == 0) {
            return true;
        }
        Attributes at = el.attributes();
        int bits = patterns.match(at.get("class"), at.get("id")) | BlockWalker.roleBits(at.get("role"));
        return (bits & mask) == 0;
    }

    /** Lines: "- " before the first block of a list item; code keeps its lines; repeated lines kept once. */
    private static String render(List<Block> blocks) {
        int capacity = 0;
        for (Block b : blocks) {
            capacity += b.text().length() + 3;
        }
        var out = new StringBuilder(capacity);
        Set<String> seen = new HashSet<>(blocks.size() * 2);
        for (Block b : blocks) {
            if (b.kind() == Kind.CODE) {
                if (!out.isEmpty()) {
                    out.append('\n');
                }
                out.append(b.text());
                continue;
            }
            if (!seen.add(b.text())) {
                continue;
            }
            if (!out.isEmpty()) {
                out.append('\n');
            }
            if (b.itemStart()) {
                out.append("- ");
            }
            out.append(b.text());
        }
        return out.toString();
    }

    private static Document parse(String html, String url, Deadline deadline) {
        Parser parser = Parser.htmlParser().setMaxDepth(MAX_DEPTH);
        try (var stream = new StreamParser(parser).parse(html, url == null ? "" : url)) {
            Iterator<Element> it = stream.iterator();
            int n = 0;
            while (it.hasNext()) {
                it.next();
                if ((++n & 127) == 0) {
                    deadline.check();
                }
            }
            return stream.document();
        }
    }

    /** Binary garbage: many C0 control characters or U+FFFD replacement characters in the first 4 KB. */
    static boolean looksBinary(String html) {
        int n = Math.min(html.length(), BINARY_SAMPLE);
        int bad = 0;
        for (int i = 0; i < n; i++) {
            char c = html.charAt(i);
            if ((c < ' ' && c != '\n' && c != '\r' && c != '\t' && c != '\f') || c == '\ufffd') {
                bad++;
            }
        }
        return bad > n / 10;
    }
}
