package dev.jchat.data.extract;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.jsoup.nodes.Attributes;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;

/**
 * One walk over a subtree that turns it into text blocks (paragraphs, headings, list items, quotes, code,
 * table rows), pruning boilerplate on the way. Single pass, no recursion: an explicit frame stack holds,
 * per open element, its context and the text/link counts of its subtree, so link density is judged when
 * an element closes, and a list, table or div found to be boilerplate takes back the blocks it emitted.
 *
 * <p>Subtrees removed by class/id/role/hidden rules are still walked (text only) to count their characters:
 * when those rules would remove more than 6/7 of the text, the caller walks again without them (trafilatura's
 * {@code prune_unwanted_nodes(..., with_backup=True)}). Single use, not thread-safe.
 */
final class BlockWalker {

    enum Kind { PARAGRAPH, HEADING, ITEM, QUOTE, CODE, ROW, LOOSE }

    /**
     * A block of text. {@code itemStart}: the first block of a list item, rendered with "- ". CODE blocks
     * keep their line breaks; every other block is one line.
     */
    record Block(Kind kind, String text, boolean itemStart) {}

    /**
     * What a walk removes and keeps. {@code wide}: the fallback extraction (paragraph-like blocks only, fewer
     * tags removed, only the strongest boilerplate classes, no link-density pruning). {@code classRules}: false
     * on the walk that replaces one whose class rules removed nearly everything.
     */
    record Mode(boolean wide, boolean precision, boolean classRules) {
        Mode withoutClassRules() {
            return new Mode(wide, precision, false);
        }
    }

    // ---- tag table ----
    static final int REMOVE = 1;                // dropped with its subtree by the precise walk
    static final int REMOVE_WIDE = 1 << 1;      // dropped by every walk (and by the candidate scan)
    static final int REMOVE_PRECISION = 1 << 2; // dropped when favouring precision (trafilatura: .//header)
    static final int BREAK = 1 << 3;            // block-level: starts and ends a block
    static final int HEAVY = 1 << 4;            // inside a table cell, turns the row into layout
    static final int CLASSED = 1 << 5;          // subject to class/id/role rules
    static final int LIST = 1 << 6;
    static final int CONTAINER = 1 << 7;
    static final int TABLE = 1 << 8;
    static final int ROW = 1 << 9;
    static final int CELL = 1 << 10;
    static final int LINK = 1 << 11;
    static final int LINE_BREAK = 1 << 12;
    static final int PRE = 1 << 13;
    static final int FIGURE = 1 << 14;
    static final int FORMATTING = 1 << 15;      // inline formatting: not counted as a child element
    static final int ITEM = 1 << 16;
    static final int INLINE = 1 << 17;          // inline container: inside running text only the strong rules apply

    private static final int UNKNOWN_TAG = CLASSED;
    private static final Map<String, Integer> TAGS = new HashMap<>();
    private static final Map<String, Kind> KINDS = new HashMap<>();

    static {
        tags(REMOVE | REMOVE_WIDE, "script", "style", "noscript", "template", "svg", "math", "iframe", "frame",
                "object", "embed", "applet", "canvas", "audio", "video", "map", "head", "title", "meta", "link",
                "base", "nav", "aside", "footer", "menu", "menuitem", "select", "option", "optgroup", "datalist",
                "textarea", "button", "input", "dialog", "rp", "rt", "rtc", "area", "param", "source", "track");
        tags(REMOVE, "form", "fieldset", "label", "legend", "picture", "marquee", "blink", "progress", "meter",
                "output", "time", "use");
        tags(REMOVE_PRECISION, "header");
        tags(BREAK, "address", "article", "aside", "blockquote", "body", "center", "dd", "details", "dialog", "dir",
                "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
                "h6", "header", "hgroup", "hr", "li", "main", "menu", "nav", "ol", "p", "pre", "section", "summary",
                "table", "tbody", "thead", "tfoot", "tr", "td", "th", "caption", "ul", "legend", "html", "frameset",
                "search", "listing", "xmp", "plaintext", "noscript");
        tags(HEAVY, "p", "ul", "ol", "dl", "li", "table", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
                "section", "article", "main", "header", "form", "listing", "xmp");
        tags(CLASSED, "div", "section", "span", "p", "ul", "ol", "dl", "li", "dd", "dt", "article", "table",
                "header", "center", "font", "aside", "nav", "footer", "form", "figure", "search", "details");
        tags(LIST, "ul", "ol", "dl", "menu", "dir");
        tags(CONTAINER, "div", "section");
        tags(TABLE, "table");
        tags(ROW, "tr");
        tags(CELL, "td", "th");
        tags(LINK, "a");
        tags(LINE_BREAK, "br");
        tags(PRE, "pre", "listing", "xmp", "plaintext");
        tags(FIGURE, "figure");
        tags(ITEM, "li", "dt", "dd");
        tags(INLINE, "span", "font");
        tags(FORMATTING, "b", "i", "em", "strong", "u", "sub", "sup", "kbd", "samp", "tt", "var", "font", "small",
                "big", "abbr", "acronym", "mark", "cite", "dfn", "bdi", "bdo", "data", "ruby", "img", "wbr", "s",
                "strike", "del", "ins", "q");
        kinds(Kind.PARAGRAPH, "p");
        kinds(Kind.HEADING, "h1", "h2", "h3", "h4", "h5", "h6");
        kinds(Kind.ITEM, "li", "dt", "dd");
        kinds(Kind.QUOTE, "blockquote");
        kinds(Kind.CODE, "pre", "listing", "xmp", "plaintext");
        kinds(Kind.ROW, "tr", "td", "th");
        kinds(Kind.LOOSE, "table", "caption");
    }

    private static void tags(int flags, String... names) {
        for (String name : names) {
            TAGS.merge(name, flags, (a, b) -> a | b);
        }
    }

    private static void kinds(Kind kind, String... names) {
        for (String name : names) {
            KINDS.put(name, kind);
        }
    }

    static int flags(String tag) {
        return TAGS.getOrDefault(tag, UNKNOWN_TAG);
    }

    /** A lone share/print/social label (trafilatura's textfilter). */
    private static final Pattern SOCIAL = Pattern.compile(
            "\\W*(drucken|e-?mail|facebook|flipboard|google|instagram|linkedin|mail|pdf|pinterest|pocket|print|qq"
                    + "|reddit|twitter|wechat|weibo|whatsapp|xing|mehr zum thema:?|more on this.{0,8})\\W*",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);

    // ---- link-density thresholds (trafilatura's link_density_test, favor_precision values first) ----
    private final int paragraphLimit;  // blocks shorter than this with ≥2 mostly-short links are boilerplate
    private final int shortLink;       // a link whose text is shorter than this is "short"
    private final int divLimit;        // divs shorter than this, with ≥3 children and a link, are boilerplate

    private final Mode mode;
    private final Deadline deadline;
    private final AttributePatterns patterns;
    private final int removeTags;
    private final int removeClasses;

    private final List<Block> blocks = new ArrayList<>();
    private final StringBuilder buf = new StringBuilder(256);
    private boolean spacePending;
    private boolean cellSepPending;
    private int bufLinkChars;
    private int bufLinks;
    private int bufShortLinks;
    private int bufWords;      // words starting outside links
    private long linkCharsTotal;
    private int linkDepth;
    private int preDepth;
    private long keptChars;
    private long removedChars;
    private int visited;
    private Frame[] frames = new Frame[64];
    private int depth;

    /** An open element. Indices point into {@link #frames}; a child is always closed before its ancestors. */
    private static final class Frame {
        int flags;
        Kind ctx;
        boolean shadow;
        int blockStart;
        int chars;
        int linkChars;
        int links;
        int shortLinks;
        int children;
        int item;          // nearest open list item (frame index) or -1
        boolean itemPending;
        int row;           // nearest open table row of the innermost table, or -1
        boolean inCell;
        boolean layout;    // for rows: holds block content, so cells are not joined into one line
        long linkStart;
    }

    BlockWalker(Mode mode, Deadline deadline, AttributePatterns patterns) {
        this.mode = mode;
        this.deadline = deadline;
        this.patterns = patterns;
        this.paragraphLimit = mode.precision ? 200 : 60;
        this.shortLink = mode.precision ? 50 : 10;
        this.divLimit = mode.precision ? 200 : 100;
        this.removeTags = mode.wide ? REMOVE_WIDE
                : REMOVE | REMOVE_WIDE | (mode.precision ? REMOVE_PRECISION : 0);
        this.removeClasses = mode.wide ? AttributePatterns.CORE | AttributePatterns.HIDDEN
                : AttributePatterns.BOILERPLATE | AttributePatterns.CORE | AttributePatterns.HIDDEN
                        | AttributePatterns.COMMENTS | (mode.precision ? AttributePatterns.PRECISION : 0);
    }

    /** Walks {@code root} (never itself pruned) and returns its blocks in document order. */
    List<Block> walk(Element root) {
        Node node = root;
        outer:
        while (true) {
            boolean pushed = enter(node, node == root);
            if (pushed && node.childNodeSize() > 0) {
                node = node.firstChild();
                continue;
            }
            if (pushed) {
                exit();
            }
            while (true) {
                if (node == root) {
                    break outer;
                }
                Node sibling = node.nextSibling();
                if (sibling != null) {
                    node = sibling;
                    break;
                }
                node = node.parentNode();
                exit();
            }
        }
        return blocks;
    }

    /** True when the class/id/hidden rules removed more than 6/7 of the text: walk again without them. */
    boolean prunedTooMuch() {
        return mode.classRules && removedChars > 0 && keptChars * 7 <= keptChars + removedChars;
    }

    private boolean enter(Node node, boolean root) {
        if ((++visited & 255) == 0) {
            deadline.check();
        }
        if (node instanceof TextNode text) {
            text(text.getWholeText());
            return false;
        }
        if (!(node instanceof Element el)) {
            return false;
        }
        int flags = flags(el.normalName());
        Frame parent = depth > 0 ? frames[depth - 1] : null;
        if (parent != null && parent.shadow) {
            if ((flags & REMOVE_WIDE) != 0) {
                return false;
            }
            push(flags, null, parent, true);
            return true;
        }
        if (!root) {
            if ((flags & removeTags) != 0) {
                return false;
            }
            if (mode.classRules && el.attributesSize() > 0 && preDepth == 0 && pruned(el.attributes(), flags, parent)) {
                if ((flags & BREAK) != 0) {
                    flush();
                }
                push(flags, null, parent, true);
                return true;
            }
            if ((flags & FIGURE) != 0 && !mode.wide && !holdsTableOrCode(el)) {
                return false;
            }
        }
        boolean rowCell = parent != null && parent.row >= 0 && !frames[parent.row].layout;
        if (rowCell && (flags & CELL) != 0) {
            if (buf.length() > 0) {
                cellSepPending = true;
            }
        } else if (rowCell && parent.inCell && (flags & HEAVY) != 0) {
            flush();
            frames[parent.row].layout = true;
        } else if (rowCell && parent.inCell && (flags & (BREAK | LINE_BREAK)) != 0) {
            spacePending = true;
            if ((flags & LINE_BREAK) != 0) {
                return false;
            }
        } else if ((flags & LINE_BREAK) != 0) {
            if (preDepth > 0) {
                appendPre("\n");
            } else {
                flush();
            }
            return false;
        } else if ((flags & BREAK) != 0) {
            flush();
        }
        Frame f = push(flags, KINDS.get(el.normalName()), parent, false);
        if ((flags & LINK) != 0 && linkDepth++ == 0) {
            f.linkStart = linkCharsTotal;
        }
        if ((flags & PRE) != 0) {
            preDepth++;
        }
        return true;
    }

    private Frame push(int flags, Kind kind, Frame parent, boolean shadow) {
        if (depth == frames.length) {
            frames = Arrays.copyOf(frames, depth * 2);
        }
        Frame f = frames[depth];
        if (f == null) {
            f = frames[depth] = new Frame();
        }
        int self = depth++;
        f.flags = flags;
        f.shadow = shadow;
        f.blockStart = blocks.size();
        f.chars = f.linkChars = f.links = f.shortLinks = f.children = 0;
        f.layout = false;
        f.linkStart = 0;
        if (parent == null) {
            f.ctx = kind != null ? kind : Kind.LOOSE;
            f.item = (flags & ITEM) != 0 ? self : -1;
            f.row = (flags & ROW) != 0 ? self : -1;
            f.inCell = (flags & CELL) != 0;
        } else {
            if ((flags & FORMATTING) == 0 && !shadow) {
                parent.children++;
            }
            f.ctx = kind != null ? kind : parent.ctx;
            f.item = (flags & ITEM) != 0 ? self : (flags & LIST) != 0 ? -1 : parent.item;
            f.row = (flags & ROW) != 0 ? self : (flags & TABLE) != 0 ? -1 : parent.row;
            f.inCell = (flags & CELL) != 0 || ((flags & (TABLE | ROW)) == 0 && parent.inCell);
        }
        f.itemPending = (flags & ITEM) != 0;
        return f;
    }

    private void exit() {
        Frame f = frames[depth - 1];
        Frame parent = depth > 1 ? frames[depth - 2] : null;
        if (f.shadow) {
            depth--;
            return;
        }
        int flags = f.flags;
        if ((flags & LINK) != 0 && --linkDepth == 0) {
            int length = (int) (linkCharsTotal - f.linkStart);
            if (length > 0) {
                f.links++;
                bufLinks++;
                if (length < shortLink) {
                    f.shortLinks++;
                    bufShortLinks++;
                }
            }
        }
        boolean rowCell = f.inCell && f.row >= 0 && !frames[f.row].layout;
        if ((flags & BREAK) != 0 && !rowCell) {
            flush();
        }
        if ((flags & PRE) != 0) {
            preDepth--;
        }
        if (parent != null && !mode.wide && boilerplateContainer(f)) {
            blocks.subList(f.blockStart, blocks.size()).clear();
        }
        depth--;
        if (parent != null) {
            parent.chars += f.chars;
            parent.linkChars += f.linkChars;
            parent.links += f.links;
            parent.shortLinks += f.shortLinks;
        }
    }

    /** trafilatura's delete_by_link_density for lists and divs, and link_density_test_tables. */
    private boolean boilerplateContainer(Frame f) {
        int chars = f.chars;
        if (f.links == 0 || chars == 0 || f.blockStart == blocks.size()) {
            return false;
        }
        boolean linkHeavy = f.linkChars > 0.8 * chars || (f.links >= 2 && f.shortLinks > 0.8 * f.links);
        if ((f.flags & LIST) != 0) {
            // trafilatura: 100 characters, 300 for the last element of its parent
            return (chars < 100 && linkHeavy) || (chars < 300 && f.linkChars > 0.8 * chars);
        }
        if ((f.flags & CONTAINER) != 0) {
            return (chars < divLimit && f.children >= 3) || (chars < 100 && linkHeavy);
        }
        if ((f.flags & TABLE) != 0) {
            return chars > 250 && f.linkChars > (chars < 1000 ? 0.8 : 0.5) * chars;
        }
        return false;
    }

    /** trafilatura keeps figures that hold a table; code listings come wrapped in figures too (Jekyll). */
    private boolean holdsTableOrCode(Element figure) {
        Node node = figure.firstChild();
        while (node != null && node != figure) {
            if ((++visited & 255) == 0) {
                deadline.check();
            }
            if (node instanceof Element el && (el.nameIs("table") || el.nameIs("pre"))) {
                return true;
            }
            if (node.childNodeSize() > 0) {
                node = node.firstChild();
                continue;
            }
            while (node != figure && node.nextSibling() == null) {
                node = node.parentNode();
            }
            node = node == figure ? null : node.nextSibling();
        }
        return false;
    }

    /** Hidden, or class/id/role say boilerplate. */
    private boolean pruned(Attributes attributes, int flags, Frame parent) {
        if (attributes.hasKey("hidden") || "true".equalsIgnoreCase(attributes.get("aria-hidden"))) {
            return true;
        }
        String style = attributes.get("style");
        if (!style.isEmpty() && hiddenStyle(style)) {
            return true;
        }
        if ((flags & CLASSED) == 0) {
            return false;
        }
        int bits = patterns.match(attributes.get("class"), attributes.get("id")) | roleBits(attributes.get("role"));
        int mask = removeClasses;
        if ((flags & INLINE) != 0 && parent.ctx != Kind.LOOSE) {
            // a span inside a paragraph, item or heading is formatting, not a section ("span__link--on-dark")
            mask &= AttributePatterns.CORE | AttributePatterns.HIDDEN;
        }
        return (bits & mask) != 0;
    }

    static boolean hiddenStyle(String style) {
        if (style.indexOf("none") < 0 && style.indexOf("hidden") < 0) {
            return false;
        }
        var compact = new StringBuilder(style.length());
        for (int i = 0; i < style.length(); i++) {
            char c = style.charAt(i);
            if (!Character.isWhitespace(c)) {
                compact.append(Character.toLowerCase(c));
            }
        }
        String s = compact.toString();
        return s.contains("display:none") || s.contains("visibility:hidden");
    }

    /** ARIA landmark roles of page furniture. */
    static int roleBits(String role) {
        if (role.isEmpty()) {
            return 0;
        }
        return switch (role.trim().toLowerCase(Locale.ROOT)) {
            case "navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar", "dialog",
                 "alertdialog", "toolbar", "tablist" -> AttributePatterns.BOILERPLATE | AttributePatterns.CORE;
            default -> 0;
        };
    }

    // ---- text ----

    private void text(String s) {
        Frame top = frames[depth - 1];
        if (top.shadow) {
            removedChars += nonSpace(s);
            return;
        }
        if (preDepth > 0) {
            appendPre(s);
            return;
        }
        int before = buf.length();
        int visible = 0;
        // whether the buffer is empty or ends in a space: the next character starts a word
        boolean atWordStart = before == 0 || buf.charAt(before - 1) == ' ';
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (isSpace(c)) {
                spacePending = true;
            } else if (!ignorable(c)) {
                if (cellSepPending) {
                    buf.append(" | ");
                    cellSepPending = false;
                    atWordStart = true;
                } else if (spacePending && !buf.isEmpty()) {
                    buf.append(' ');
                    atWordStart = true;
                }
                spacePending = false;
                if (linkDepth == 0 && atWordStart) {
                    bufWords++;
                }
                buf.append(c);
                atWordStart = false;
                visible++;
            }
        }
        count(top, buf.length() - before, visible);
    }

    private void appendPre(String s) {
        Frame top = frames[depth - 1];
        int before = buf.length();
        int visible = 0;
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c == '\r') {
                if (i + 1 < n && s.charAt(i + 1) == '\n') {
                    continue;
                }
                buf.append('\n');
            } else if (c == '\n') {
                buf.append('\n');
            } else if (isSpace(c)) {
                buf.append(' ');
            } else if (!ignorable(c)) {
                buf.append(c);
                visible++;
            }
        }
        count(top, buf.length() - before, visible);
    }

    private void count(Frame top, int added, int visible) {
        keptChars += visible;
        top.chars += added;
        if (linkDepth > 0) {
            top.linkChars += added;
            bufLinkChars += added;
            linkCharsTotal += added;
        }
    }

    private void flush() {
        spacePending = false;
        cellSepPending = false;
        if (buf.length() > 0) {
            Frame top = frames[depth - 1];
            Kind kind = top.ctx;
            if (kind == Kind.ROW && (top.row < 0 || frames[top.row].layout)) {
                kind = Kind.LOOSE;
            }
            String text = kind == Kind.CODE ? codeLines(buf) : buf.toString().strip();
            if (keep(kind, text)) {
                boolean itemStart = false;
                if (top.item >= 0 && frames[top.item].itemPending) {
                    itemStart = true;
                    frames[top.item].itemPending = false;
                }
                blocks.add(new Block(kind, text, itemStart));
            }
            buf.setLength(0);
        }
        bufLinkChars = bufLinks = bufShortLinks = bufWords = 0;
    }

    private boolean keep(Kind kind, String text) {
        if (text.isEmpty() || !hasLetterOrDigit(text)) {
            return false;
        }
        if (mode.wide) {
            return kind == Kind.PARAGRAPH || kind == Kind.QUOTE || kind == Kind.CODE;
        }
        if (kind != Kind.CODE) {
            int length = text.length();
            if (bufLinkChars > 0.8 * length) {
                return false;
            }
            if (kind != Kind.ROW && length < paragraphLimit && bufLinks >= 2 && bufShortLinks > 0.8 * bufLinks
                    && !prose(text)) {
                return false;
            }
            if (length <= 32 && SOCIAL.matcher(text).matches()) {
                return false;
            }
        }
        return true;
    }

    /**
     * A sentence around its links: at least 8 words outside links and terminal punctuation. Our deviation from
     * trafilatura's favor_precision, which drops every paragraph under 200 characters with two or more short
     * links, Wikipedia's opening sentences included; tag lists and "Posted in A, B" lines stay dropped.
     */
    private boolean prose(String text) {
        if (bufWords < 8) {
            return false;
        }
        int end = text.length();
        while (end > 0 && "\"')]}»”’".indexOf(text.charAt(end - 1)) >= 0) {
            end--;
        }
        return end > 0 && ".!?…。！？".indexOf(text.charAt(end - 1)) >= 0;
    }

    /** Lines of a code block: trailing spaces cut, blank lines dropped. */
    private static String codeLines(CharSequence raw) {
        var out = new StringBuilder(raw.length());
        int start = 0;
        for (int i = 0; i <= raw.length(); i++) {
            if (i == raw.length() || raw.charAt(i) == '\n') {
                int end = i;
                while (end > start && raw.charAt(end - 1) == ' ') {
                    end--;
                }
                if (end > start) {
                    if (!out.isEmpty()) {
                        out.append('\n');
                    }
                    out.append(raw, start, end);
                }
                start = i + 1;
            }
        }
        return out.toString();
    }

    static boolean isSpace(char c) {
        return c <= ' ' || c == '\u00a0' || c == '\u0085' || c == '\u1680' || (c >= '\u2000' && c <= '\u200a')
                || c == '\u2028' || c == '\u2029' || c == '\u202f' || c == '\u205f' || c == '\u3000';
    }

    /** Invisible characters dropped from the text: zero-width, soft hyphen, C1 controls, BOM. */
    static boolean ignorable(char c) {
        return (c >= '\u200b' && c <= '\u200d') || c == '\u2060' || c == '\ufeff' || c == '\u00ad'
                || (c >= '\u007f' && c <= '\u009f');
    }

    private static int nonSpace(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            if (!isSpace(s.charAt(i))) {
                n++;
            }
        }
        return n;
    }

    private static boolean hasLetterOrDigit(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isLetterOrDigit(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }
}
