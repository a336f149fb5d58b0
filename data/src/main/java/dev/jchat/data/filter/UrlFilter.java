package dev.jchat.data.filter;

import crawlercommons.domains.EffectiveTldFinder;
import dev.jchat.data.Document;
import dev.jchat.data.DocumentStep;
import dev.jchat.data.Outcome;
import dev.jchat.data.StepStats;
import java.util.HashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.ahocorasick.trie.Trie;

/**
 * FineWeb's first filter: drops documents whose URL points at adult content, with datatrove v0.2.0's
 * {@code URLFilter} rules, in its order (the first rule that fires is the reason):
 *
 * <ol>
 *   <li>{@code domain}: the URL's registered domain (public-suffix eTLD+1, private suffixes excluded, as
 *       tldextract's {@code registered_domain}: {@code a.b.example.co.uk} → {@code example.co.uk}) is in the
 *       domain list;
 *   <li>{@code subdomain}: the full host (tldextract's {@code fqdn}) is in the domain list;
 *   <li>{@code url}: the URL string itself is in the URL list;
 *   <li>{@code hard_blacklisted}: a token of the URL is a banned word. Tokens are
 *       {@code re.split("[^a-zA-Z0-9]+", url)} of the raw URL and are <b>not lowercased</b>, while list
 *       entries are, so {@code /porn/} is dropped and {@code /PORN/} is not (case-sensitive, as datatrove);
 *   <li>{@code soft_blacklisted}: at least {@link Params#softWordThreshold} different tokens are soft-banned
 *       words (FineWeb: 2);
 *   <li>{@code blacklisted_subword}: a banned subword occurs anywhere in the URL lowercased with every
 *       character outside {@code [a-zA-Z0-9]} removed (one Aho-Corasick pass).
 * </ol>
 *
 * The lists are {@link UrlLists}; {@link #fineweb()} uses jchat's own bundled lists (FineWeb's UT1 adult
 * blocklist is not shipped: load it with {@link UrlLists#ut1}).
 *
 * <p>Host handling follows tldextract's lenient parsing: the host is what lies between {@code scheme://}
 * (or a leading {@code //}; a URL without a scheme is read from its start) and the first {@code / ? #}, after
 * the last {@code @} (userinfo dropped) and before a {@code :port}; a bracketed IPv6 literal is kept whole.
 * Deliberate divergences from datatrove, all about hosts, none about words:
 *
 * <ul>
 *   <li>Hosts (and domain-list entries) are compared lowercased and in punycode: DNS names are
 *       case-insensitive and blocklists are written in ASCII, while tldextract keeps the URL's own case and
 *       Unicode spelling, so {@code HTTP://WWW.PORNHUB.COM/} or a Unicode host would slip through it.
 *       Leading/trailing dots are removed and a URL is trimmed before its host is read.
 *   <li>IP hosts (dotted quads, bracketed IPv6) have no registered domain, as in tldextract, so the domain
 *       rules skip them; {@link Params#matchIpHosts} optionally compares the IP itself with the domain list
 *       (UT1 lists do contain IPs), reported as {@code domain}.
 *   <li>A document with no URL (missing or blank {@code url} metadata) is kept and counted as
 *       {@code no_url} in the step's stats; datatrove asserts and crashes the task instead.
 * </ul>
 *
 * Dropped documents carry {@link Document#FILTER_REASON}, as datatrove's {@code BaseFilter} sets it. The
 * filter is immutable and thread-safe; it never throws on a malformed URL.
 */
public final class UrlFilter implements DocumentStep {

    public static final String NAME = "url";
    /** Counter for documents kept because they have no URL. */
    public static final String NO_URL = "no_url";

    public static final String DOMAIN = "domain";
    public static final String SUBDOMAIN = "subdomain";
    public static final String URL = "url";
    public static final String HARD_BLACKLISTED = "hard_blacklisted";
    public static final String SOFT_BLACKLISTED = "soft_blacklisted";
    public static final String BLACKLISTED_SUBWORD = "blacklisted_subword";

    private static final Pattern IPV4 = Pattern.compile(
            "(?:(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\\.){3}(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)");

    /**
     * The filter's knobs. Defaults ({@link #FINEWEB}) are FineWeb's, i.e. datatrove v0.2.0's.
     *
     * @param softWordThreshold how many different soft-banned words drop a URL (≥ 1; FineWeb: 2)
     * @param matchIpHosts also compare an IP host (e.g. {@code 1.2.3.4}) with the domain list; datatrove
     *     never does, as an IP has no registered domain (FineWeb: false)
     * @param matchUrlWithoutScheme also compare the URL with its {@code scheme://} removed against the URL
     *     list, since UT1 {@code urls} files are written without scheme ({@code example.com/page}); datatrove
     *     compares the full URL only, which such entries never equal (FineWeb: false)
     */
    public record Params(int softWordThreshold, boolean matchIpHosts, boolean matchUrlWithoutScheme) {
        public static final Params FINEWEB = new Params(2, false, false);

        public Params {
            if (softWordThreshold < 1) {
                throw new IllegalArgumentException("softWordThreshold must be at least 1, got " + softWordThreshold);
            }
        }
    }

    private final UrlLists lists;
    private final Params params;
    private final Trie subwords;

    public UrlFilter(UrlLists lists, Params params) {
        this.lists = Objects.requireNonNull(lists, "lists");
        this.params = Objects.requireNonNull(params, "params");
        this.subwords = lists.bannedSubwords().isEmpty()
                ? null
                : Trie.builder().addKeywords(lists.bannedSubwords()).stopOnHit().build();
    }

    /** FineWeb's URL filter with jchat's bundled lists. */
    public static UrlFilter fineweb() {
        return new UrlFilter(UrlLists.bundled(), Params.FINEWEB);
    }

    public UrlLists lists() {
        return lists;
    }

    public Params params() {
        return params;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Outcome apply(Document document, StepStats stats) {
        String url = document.url();
        if (url == null || url.isBlank()) {
            stats.increment(NO_URL);
            return Outcome.keep(document);
        }
        String reason = reason(url);
        return reason == null
                ? Outcome.keep(document)
                : Outcome.drop(document.with(Document.FILTER_REASON, reason), reason);
    }

    /** Why this URL is dropped (one of the reason constants), or null when it is kept. */
    public String reason(String url) {
        String host = host(url);
        if (!host.isEmpty() && !lists.domains().isEmpty()) {
            if (isIp(host)) {
                if (params.matchIpHosts() && lists.domains().contains(host)) {
                    return DOMAIN;
                }
            } else {
                String registered = registeredDomain(host);
                if (registered != null) {
                    if (lists.domains().contains(registered)) {
                        return DOMAIN;
                    }
                    if (lists.domains().contains(host)) {
                        return SUBDOMAIN;
                    }
                }
            }
        }
        if (lists.urls().contains(url)
                || params.matchUrlWithoutScheme() && lists.urls().contains(withoutScheme(url))) {
            return URL;
        }
        if (!lists.bannedWords().isEmpty() || !lists.softBannedWords().isEmpty()) {
            Set<String> tokens = tokens(url);
            for (String token : tokens) {
                if (lists.bannedWords().contains(token)) {
                    return HARD_BLACKLISTED;
                }
            }
            int soft = 0;
            for (String token : tokens) {
                if (lists.softBannedWords().contains(token) && ++soft >= params.softWordThreshold()) {
                    return SOFT_BLACKLISTED;
                }
            }
        }
        if (subwords != null && subwords.firstMatch(UrlLists.normaliseWord(url)) != null) {
            return BLACKLISTED_SUBWORD;
        }
        return null;
    }

    /** {@code set(re.split("[^a-zA-Z0-9]+", url))}: the URL's distinct alphanumeric runs, case kept. */
    static Set<String> tokens(String url) {
        var tokens = new HashSet<String>();
        int start = -1;
        for (int i = 0; i <= url.length(); i++) {
            boolean alnum = i < url.length() && isAsciiAlnum(url.charAt(i));
            if (alnum && start < 0) {
                start = i;
            } else if (!alnum && start >= 0) {
                tokens.add(url.substring(start, i));
                start = -1;
            }
        }
        return tokens;
    }

    private static boolean isAsciiAlnum(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
    }

    /**
     * The URL's host as the filter compares it (see the class comment), normalised by
     * {@link UrlLists#normaliseHost}; empty when there is none.
     */
    static String host(String url) {
        String s = url.strip();
        int slashes = s.indexOf("//");
        if (slashes == 0) {
            s = s.substring(2);
        } else if (slashes >= 2 && s.charAt(slashes - 1) == ':' && isScheme(s, slashes - 1)) {
            s = s.substring(slashes + 2);
        }
        int end = s.length();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                end = i;
                break;
            }
        }
        s = s.substring(s.lastIndexOf('@', end - 1) + 1, end);
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close > 0) {
                return s.substring(0, close + 1).toLowerCase(Locale.ROOT);
            }
        }
        int colon = s.indexOf(':');
        if (colon >= 0) {
            s = s.substring(0, colon);
        }
        return UrlLists.normaliseHost(s);
    }

    /** tldextract's scheme check: everything before {@code ://} is in {@code [a-zA-Z0-9+.-]}. */
    private static boolean isScheme(String s, int end) {
        for (int i = 0; i < end; i++) {
            char c = s.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '+' || c == '-' || c == '.';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean isIp(String host) {
        if (host.startsWith("[")) {
            return true;
        }
        char first = host.charAt(0);
        return first >= '0' && first <= '9' && IPV4.matcher(host).matches();
    }

    /** eTLD+1 under the public suffix list, private suffixes excluded; null when the host has none. */
    static String registeredDomain(String host) {
        try {
            return EffectiveTldFinder.getAssignedDomain(host, true, true);
        } catch (RuntimeException unparseable) {
            return null;
        }
    }

    private static String withoutScheme(String url) {
        int sep = url.indexOf("://");
        return sep < 0 ? url : url.substring(sep + 3);
    }
}
