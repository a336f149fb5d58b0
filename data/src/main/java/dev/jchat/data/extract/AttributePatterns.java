package dev.jchat.data.extract;

import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * The class/id vocabulary of boilerplate and of main-content containers, matched in one pass: an
 * Aho-Corasick automaton over the lowercased tokens of an element's {@code class} and {@code id}, each token
 * framed as {@code ^token$}, so a pattern can say "contains" ({@code sidebar}), "starts with"
 * ({@code ^nav}), "ends with" ({@code nav$}) or "is" ({@code ^post$}). {@link #match} returns the OR of the
 * categories of every pattern found. The vocabulary follows trafilatura's xpaths.py (BODY_XPATH,
 * OVERALL_DISCARD_XPATH, PRECISION_DISCARD_XPATH, REMOVE_COMMENTS_XPATH), rewritten as token patterns and
 * lowercased (trafilatura's matching is mostly case-sensitive and on the whole attribute string). Immutable.
 */
final class AttributePatterns {

    /** Boilerplate: navigation, footers, sharing, cookie notices, metadata, widgets (trafilatura's overall discard). */
    static final int BOILERPLATE = 1;
    /** Removed only when favouring precision: teasers, "link"/"bottom" blocks (trafilatura's precision discard). */
    static final int PRECISION = 1 << 1;
    /** Comment sections, pruned when favouring precision with comments excluded. */
    static final int COMMENTS = 1 << 2;
    /** Classes that hide an element (hidden, sr-only, noprint, …). */
    static final int HIDDEN = 1 << 3;
    /** The strongest boilerplate, still removed by the wide fallback extraction (cookie, nav, share, …). */
    static final int CORE = 1 << 4;
    /** Main-content containers, in trafilatura's order of preference (tier 2 is the {@code <article>} tag). */
    static final int TIER1 = 1 << 5;
    static final int TIER3 = 1 << 6;
    static final int TIER4 = 1 << 7;
    static final int TIER5 = 1 << 8;

    static final AttributePatterns DEFAULT = new AttributePatterns();

    // symbols: a-z 0..25, 0-9 26..35, '-' 36, '_' 37, '^' 38, '$' 39, anything else 40
    private static final int SYMBOLS = 41;
    private static final int START = 38;
    private static final int END = 39;
    private static final int OTHER = 40;

    private final int[] next;
    private final int[] out;

    private AttributePatterns() {
        var b = new Builder();
        b.add(BOILERPLATE | CORE,
                "footer", "cookie", "consent", "gdpr", "newsletter", "subscribe", "signup", "sign-up",
                "popup", "pop-up", "modal", "lightbox", "overlay",
                "^nav", "nav$", "-nav-", "_nav_", "navigation", "navbar", "navbox", "subnav", "menu",
                "breadcrumb", "bread-crumb", "sidebar", "side-bar", "share", "^shar", "social", "sociable",
                "related", "advert", "^ad$", "^ads$", "^ad-", "^ads-", "-ad$", "-ads$", "-ad-", "_ad_",
                "adsbygoogle", "sponsor", "banner", "masthead", "^header$", "site-header", "toolbar", "topbar",
                "top-bar", "pagination", "pager", "^skip", "editsection", "outbrain", "taboola", "criteo",
                "paywall", "premium-", "paid-content", "paidcontent", "login");
        b.add(BOILERPLATE,
                "viral", "syndication", "^jp-", "^dpsp-content", "embed", "tags", "tag-list", "tagcloud",
                "meta", "author", "byline", "button", "rating", "widget", "attachment", "timestamp",
                "user-info", "user-profile", "-icon", "article-infos", "infoline", "options", "expand",
                "obfuscated", "blurred", "next-", "side-stories", "related-stories", "most-popular",
                "mol-factbox", "^zendeskform", "message-container", "message_container", "permission", "slide", "viewport", "caption",
                "comments-title", "nocomments", "^reply-", "-reply-", "reader-comments", "akismet", "suggest-links");
        b.add(HIDDEN, "^hidden$", "^hide$", "^hide-", "-hide-", "hide-print", "noprint", "notloaded",
                "^d-none$", "sr-only", "visually-hidden", "visuallyhidden", "screen-reader", "^invisible$");
        b.add(COMMENTS | CORE, "^comment", "-comments", "_comments", "comments-", "commentlist", "comment-list",
                "disqus", "dsq-comments", "^comol", "^respond$");
        b.add(PRECISION, "teaser", "^bottom", "link");
        b.add(TIER1, "^post$", "^entry$", "post-text", "post_text", "post-body", "post-entry", "postentry",
                "post-content", "post_content", "postcontent", "post_inner_wrapper", "article-text", "articletext",
                "entry-content", "article-content", "article__content", "article-body", "article__body",
                "articlebody", "articlecontent", "page-content", "text-content", "body-text",
                "article__container", "art-content");
        b.add(TIER3, "post-bodycopy", "storycontent", "story-content", "^postarea$", "^art-postcontent$",
                "theme-content", "blog-content", "section-content", "single-content", "single-post", "main-column",
                "wpb_text_column", "^primary", "^article$", "^text$", "^cell$", "^story$", "story-body",
                "field-body", "fulltext");
        b.add(TIER4, "content-main", "content_main", "content-body", "contentbody", "content__body",
                "main-content", "maincontent", "^content$");
        b.add(TIER5, "^main");
        next = b.build();
        out = b.out();
    }

    /** The categories found in the class and id of an element (either may be null). */
    int match(String cls, String id) {
        int bits = 0;
        if (cls != null && !cls.isEmpty()) {
            bits |= scan(cls);
        }
        if (id != null && !id.isEmpty()) {
            bits |= scan(id);
        }
        return bits;
    }

    private int scan(String value) {
        int bits = 0;
        int state = -1;
        for (int i = 0, n = value.length(); i < n; i++) {
            char c = value.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
                if (state >= 0) {
                    bits |= out[state = next[state * SYMBOLS + END]];
                    state = -1;
                }
                continue;
            }
            if (state < 0) {
                bits |= out[state = next[START]];
            }
            bits |= out[state = next[state * SYMBOLS + symbol(c)]];
        }
        if (state >= 0) {
            bits |= out[next[state * SYMBOLS + END]];
        }
        return bits;
    }

    private static int symbol(char c) {
        if (c >= 'a' && c <= 'z') {
            return c - 'a';
        }
        if (c >= 'A' && c <= 'Z') {
            return c - 'A';
        }
        if (c >= '0' && c <= '9') {
            return 26 + c - '0';
        }
        return c == '-' ? 36 : c == '_' ? 37 : OTHER;
    }

    private static int patternSymbol(char c) {
        return c == '^' ? START : c == '$' ? END : symbol(c);
    }

    /** Trie of the patterns, then completed into a deterministic automaton (goto plus failure links). */
    private static final class Builder {
        private int[] next = new int[64 * SYMBOLS];
        private int[] out = new int[64];
        private int states = 1;

        Builder() {
            Arrays.fill(next, -1);
        }

        void add(int bits, String... patterns) {
            for (String p : patterns) {
                int s = 0;
                for (int i = 0; i < p.length(); i++) {
                    int sym = patternSymbol(p.charAt(i));
                    if (next[s * SYMBOLS + sym] < 0) {
                        grow();
                        next[s * SYMBOLS + sym] = states++;
                    }
                    s = next[s * SYMBOLS + sym];
                }
                out[s] |= bits;
            }
        }

        private void grow() {
            if (states == out.length) {
                int old = next.length;
                next = Arrays.copyOf(next, old * 2);
                Arrays.fill(next, old, next.length, -1);
                out = Arrays.copyOf(out, out.length * 2);
            }
        }

        int[] build() {
            int[] fail = new int[states];
            var queue = new ArrayDeque<Integer>();
            for (int sym = 0; sym < SYMBOLS; sym++) {
                int u = next[sym];
                if (u < 0) {
                    next[sym] = 0;
                } else {
                    fail[u] = 0;
                    queue.add(u);
                }
            }
            while (!queue.isEmpty()) {
                int r = queue.poll();
                for (int sym = 0; sym < SYMBOLS; sym++) {
                    int u = next[r * SYMBOLS + sym];
                    if (u < 0) {
                        next[r * SYMBOLS + sym] = next[fail[r] * SYMBOLS + sym];
                    } else {
                        fail[u] = next[fail[r] * SYMBOLS + sym];
                        out[u] |= out[fail[u]];
                        queue.add(u);
                    }
                }
            }
            return Arrays.copyOf(next, states * SYMBOLS);
        }

        int[] out() {
            return Arrays.copyOf(out, states);
        }
    }
}
