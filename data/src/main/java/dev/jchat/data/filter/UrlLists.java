package dev.jchat.data.filter;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.IDN;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * The host, URL and word lists that {@link UrlFilter} matches against, normalised the way datatrove v0.2.0
 * loads them.
 *
 * <ul>
 *   <li>{@code domains}: host names; a URL is dropped when its registered domain ({@code domain}) or its
 *       full host ({@code subdomain}) is listed. Entries are trimmed, lowercased, stripped of a trailing dot
 *       and converted to ASCII (punycode), the same normalisation the filter applies to URL hosts.
 *   <li>{@code urls}: exact URLs, compared with the document's URL as a string (entries only trimmed).
 *   <li>{@code bannedWords}, {@code softBannedWords}, {@code bannedSubwords}: every character outside
 *       {@code [a-zA-Z0-9]} removed, then lowercased ({@link #normaliseWord}).
 * </ul>
 *
 * Entries that normalise to the empty string are dropped. (In datatrove a blank line in a word file becomes
 * the word {@code ""}, and since {@code re.split} yields {@code ""} for a URL ending in {@code /}, such a list
 * would hard-drop nearly every URL; blank lines in a domain file would match every IP host. Dropping empty
 * entries is the only sane reading.)
 *
 * <p>Sources: {@link #bundled()} (jchat's own word lists and a small domain list, shipped as resources beside
 * this class), {@link #ut1} (a blocklist folder in the UT1 layout, {@code <category>/domains} and
 * {@code <category>/urls}, optionally gzipped, as in datatrove's {@code url_filterblacklists.tar.gz}), and any
 * extra entries ({@link #readList} reads a user file). Lists combine with {@link #plus}. Immutable.
 */
public record UrlLists(
        Set<String> domains,
        Set<String> urls,
        Set<String> bannedWords,
        Set<String> softBannedWords,
        Set<String> bannedSubwords) {

    private static final String RESOURCES = "/dev/jchat/data/filter/";

    public UrlLists {
        domains = normalised(domains, UrlLists::normaliseHost);
        urls = normalised(urls, String::strip);
        bannedWords = normalised(bannedWords, UrlLists::normaliseWord);
        softBannedWords = normalised(softBannedWords, UrlLists::normaliseWord);
        bannedSubwords = normalised(bannedSubwords, UrlLists::normaliseWord);
    }

    /** No entries at all: a filter with these lists keeps every URL. */
    public static UrlLists empty() {
        return new UrlLists(Set.of(), Set.of(), Set.of(), Set.of(), Set.of());
    }

    /**
     * jchat's shipped lists: {@code banned_words.txt}, {@code soft_banned_words.txt},
     * {@code banned_subwords.txt} and the small {@code blocked_domains.txt} (each file's header says what
     * it is for). No URL list is shipped. Loaded once per JVM.
     */
    public static UrlLists bundled() {
        return Bundled.LISTS;
    }

    private static final class Bundled {
        static final UrlLists LISTS = new UrlLists(
                resource("blocked_domains.txt"),
                Set.of(),
                resource("banned_words.txt"),
                resource("soft_banned_words.txt"),
                resource("banned_subwords.txt"));

        private static Set<String> resource(String name) {
            try (InputStream in = UrlLists.class.getResourceAsStream(RESOURCES + name)) {
                if (in == null) {
                    throw new IllegalStateException("missing resource " + RESOURCES + name);
                }
                return Set.copyOf(readLines(in));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * The domains and URLs of the given categories of a blocklist folder in the UT1 layout
     * ({@code root/<category>/domains} and {@code root/<category>/urls}, each optionally {@code .gz}). A
     * category must exist and hold at least one of the two files (a misspelt category fails loudly instead
     * of silently filtering nothing); a category without a {@code urls} file is normal.
     */
    public static UrlLists ut1(Path root, Collection<String> categories) throws IOException {
        var domains = new HashSet<String>();
        var urls = new HashSet<String>();
        for (String category : categories) {
            Path dir = root.resolve(category);
            Path domainFile = existing(dir.resolve("domains"));
            Path urlFile = existing(dir.resolve("urls"));
            if (domainFile == null && urlFile == null) {
                throw new IOException("no blocklist category '" + category + "' in " + root
                        + " (expected " + dir.resolve("domains") + " or " + dir.resolve("urls")
                        + "[.gz]); available: " + ut1Categories(root));
            }
            if (domainFile != null) {
                domains.addAll(readList(domainFile));
            }
            if (urlFile != null) {
                urls.addAll(readList(urlFile));
            }
        }
        return new UrlLists(domains, urls, Set.of(), Set.of(), Set.of());
    }

    /** The categories of a UT1-layout folder: its subfolders that hold a {@code domains} or {@code urls} file. */
    public static List<String> ut1Categories(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(root)) {
            return children.filter(Files::isDirectory)
                    .filter(dir -> existing(dir.resolve("domains")) != null || existing(dir.resolve("urls")) != null)
                    .map(dir -> dir.getFileName().toString())
                    .sorted()
                    .toList();
        }
    }

    private static Path existing(Path plain) {
        if (Files.isRegularFile(plain)) {
            return plain;
        }
        Path gz = plain.resolveSibling(plain.getFileName() + ".gz");
        return Files.isRegularFile(gz) ? gz : null;
    }

    /**
     * The entries of a list file: one per line, lines starting with {@code #} (after leading blanks) and blank
     * lines skipped, each trimmed; gunzipped when the name ends in {@code .gz}. Undecodable bytes are replaced
     * rather than failing the run (real blocklists contain stray Latin-1).
     */
    public static List<String> readList(Path file) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
                InputStream in = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw) {
            return readLines(in);
        }
    }

    private static List<String> readLines(InputStream in) throws IOException {
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        var lines = new ArrayList<String>();
        try (var reader = new BufferedReader(new InputStreamReader(in, decoder), 1 << 16)) {
            for (String line; (line = reader.readLine()) != null; ) {
                String entry = line.strip();
                if (!entry.isEmpty() && entry.charAt(0) != '#') {
                    lines.add(entry);
                }
            }
        }
        return lines;
    }

    /** These lists and another's, entry by entry. */
    public UrlLists plus(UrlLists other) {
        return new UrlLists(
                union(domains, other.domains),
                union(urls, other.urls),
                union(bannedWords, other.bannedWords),
                union(softBannedWords, other.softBannedWords),
                union(bannedSubwords, other.bannedSubwords));
    }

    public UrlLists withDomains(Collection<String> extra) {
        return new UrlLists(union(domains, extra), urls, bannedWords, softBannedWords, bannedSubwords);
    }

    public UrlLists withUrls(Collection<String> extra) {
        return new UrlLists(domains, union(urls, extra), bannedWords, softBannedWords, bannedSubwords);
    }

    public UrlLists withBannedWords(Collection<String> extra) {
        return new UrlLists(domains, urls, union(bannedWords, extra), softBannedWords, bannedSubwords);
    }

    public UrlLists withSoftBannedWords(Collection<String> extra) {
        return new UrlLists(domains, urls, bannedWords, union(softBannedWords, extra), bannedSubwords);
    }

    public UrlLists withBannedSubwords(Collection<String> extra) {
        return new UrlLists(domains, urls, bannedWords, softBannedWords, union(bannedSubwords, extra));
    }

    /** Sizes only: a UT1 domain list has millions of entries. */
    @Override
    public String toString() {
        return "UrlLists[domains=" + domains.size() + ", urls=" + urls.size() + ", bannedWords=" + bannedWords.size()
                + ", softBannedWords=" + softBannedWords.size() + ", bannedSubwords=" + bannedSubwords.size() + "]";
    }

    /** datatrove's {@code normalize}: every character outside {@code [a-zA-Z0-9]} removed, then lowercased. */
    public static String normaliseWord(String text) {
        var out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
                out.append(c);
            } else if (c >= 'A' && c <= 'Z') {
                out.append((char) (c + ('a' - 'A')));
            }
        }
        return out.toString();
    }

    /**
     * A host name as the filter compares it: trimmed, the ideographic full stops {@code 。．｡} read as
     * {@code .}, leading and trailing dots removed, lowercased, and international labels converted to
     * punycode ({@code bücher.de} → {@code xn--bcher-kva.de}; a name IDNA rejects stays lowercased Unicode).
     */
    public static String normaliseHost(String host) {
        String h = host.strip()
                .replace('\u3002', '.')
                .replace('\uff0e', '.')
                .replace('\uff61', '.')
                .toLowerCase(Locale.ROOT);
        int start = 0;
        int end = h.length();
        while (start < end && h.charAt(start) == '.') {
            start++;
        }
        while (end > start && h.charAt(end - 1) == '.') {
            end--;
        }
        h = h.substring(start, end);
        if (!isAscii(h)) {
            try {
                h = IDN.toASCII(h, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
            } catch (IllegalArgumentException notIdna) {
                // keep the lowercased Unicode form; it can still match an identical list entry
            }
        }
        return h;
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0x7f) {
                return false;
            }
        }
        return true;
    }

    private static Set<String> normalised(Collection<String> entries, UnaryOperator<String> normalise) {
        var out = new HashSet<String>(Math.max(16, entries.size() * 4 / 3 + 1));
        for (String entry : entries) {
            String n = normalise.apply(entry);
            if (!n.isEmpty()) {
                out.add(n);
            }
        }
        return Collections.unmodifiableSet(out);
    }

    private static Set<String> union(Collection<String> a, Collection<String> b) {
        var out = new HashSet<String>(a);
        out.addAll(b);
        return out;
    }
}
