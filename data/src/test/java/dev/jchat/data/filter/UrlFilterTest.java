package dev.jchat.data.filter;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.data.Document;
import dev.jchat.data.Outcome;
import dev.jchat.data.StepStats;
import dev.jchat.data.filter.UrlFilter.Params;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class UrlFilterTest {

    private static UrlLists lists(Set<String> domains, Set<String> urls, Set<String> banned, Set<String> soft,
            Set<String> subwords) {
        return new UrlLists(domains, urls, banned, soft, subwords);
    }

    private static final UrlLists SMALL = lists(
            Set.of("bad.com", "sub.good.com", "blogspot.com", "ads.co.uk", "bücher.de", "1.2.3.4"),
            Set.of("http://x.com/page", "x.com/schemeless"),
            Set.of("P-O-R-N", "xxx"),
            Set.of("sex", "hot", "cam"),
            Set.of("free porn"));

    private static String reason(UrlLists lists, Params params, String url) {
        return new UrlFilter(lists, params).reason(url);
    }

    private static String reason(String url) {
        return reason(SMALL, Params.FINEWEB, url);
    }

    @ParameterizedTest
    @CsvSource(nullValues = "KEEP", value = {
        // registered domain: every host under a listed eTLD+1
        "http://bad.com/x, domain",
        "https://www.bad.com/, domain",
        "http://a.b.c.bad.com:8080/p?q=1#f, domain",
        "http://notbad.com/, KEEP",
        "http://bad.com.evil.org/, KEEP",
        "http://ads.co.uk/, domain",
        "http://www.ads.co.uk/, domain",
        "http://foo.blogspot.com/, domain",
        // full host: only that exact host name
        "http://sub.good.com/page, subdomain",
        "http://good.com/, KEEP",
        "http://www.sub.good.com/, KEEP",
        // exact URL
        "http://x.com/page, url",
        "http://x.com/page?a=1, KEEP",
        "https://x.com/page, KEEP",
        "x.com/schemeless, url",
        "http://x.com/schemeless, KEEP",
        // hard words: whole tokens, case-sensitive, list entries normalised
        "http://x.com/porn/, hard_blacklisted",
        "http://x.com/a_porn.html, hard_blacklisted",
        "http://x.com/PORN/, KEEP",
        "http://x.com/Porn, KEEP",
        "http://x.com/pornography, KEEP",
        "http://xxx.example/, hard_blacklisted",
        // soft words: distinct tokens, threshold 2
        "http://x.com/sex, KEEP",
        "http://x.com/sex/sex/sex, KEEP",
        "http://x.com/hot-sex, soft_blacklisted",
        "http://cam.example/hot, soft_blacklisted",
        "http://x.com/HOT-SEX, KEEP",
        // subwords: anywhere in the lowercased alphanumerics
        "http://x.com/freeporn, blacklisted_subword",
        "http://x.com/Free-Porn/, blacklisted_subword",
        "http://FREE.PORN.example/, blacklisted_subword",
        "http://x.com/f_r_e_e__p.o.r.n, blacklisted_subword",
        "http://x.com/freepor, KEEP",
    })
    void eachRule(String url, String expected) {
        assertEquals(expected, reason(url), url);
    }

    @Test
    void firstMatchingRuleWinsInDatatroveOrder() {
        assertEquals("domain", reason("http://bad.com/porn/hot-sex/freeporn"));
        assertEquals("subdomain", reason("http://sub.good.com/porn/hot-sex/freeporn"));
        assertEquals("url", new UrlFilter(SMALL.withUrls(List.of("http://z.com/porn")), Params.FINEWEB)
                .reason("http://z.com/porn"));
        assertEquals("hard_blacklisted", reason("http://z.com/porn/hot-sex/freeporn"));
        assertEquals("soft_blacklisted", reason("http://z.com/hot-sex/freeporn"));
        assertEquals("blacklisted_subword", reason("http://z.com/hot/freeporn"));
    }

    @Test
    void softThresholdIsAParameter() {
        var three = new Params(3, false, false);
        assertNull(reason(SMALL, three, "http://x.com/hot-sex"));
        assertEquals("soft_blacklisted", reason(SMALL, three, "http://x.com/hot-sex-cam"));
        assertEquals("soft_blacklisted", reason(SMALL, new Params(1, false, false), "http://x.com/cam"));
        assertThrows(IllegalArgumentException.class, () -> new Params(0, false, false));
    }

    @ParameterizedTest
    @CsvSource(nullValues = "KEEP", value = {
        "HTTP://WWW.BAD.COM/, domain",
        "http://Sub.Good.COM/, subdomain",
        "http://bad.com./, domain",
        "http://user:pass@bad.com:8443/, domain",
        "http://bad.com@good.org/, KEEP",
        "http://good.org/?next=http://bad.com/, KEEP",
        "//bad.com/x, domain",
        "bad.com/path, domain",
        "'  http://bad.com/  ', domain",
        "http://www.xn--bcher-kva.de/, domain",
        "http://WWW.BÜCHER.DE/katalog, domain",
        "http://bücher。de/, domain",
        "http://1.2.3.4/, KEEP",
        "http://[::1]:8080/, KEEP",
        "mailto:someone@bad.com, domain",
    })
    void hostNormalisation(String url, String expected) {
        assertEquals(expected, reason(url), url);
    }

    @Test
    void ipHostsAndSchemelessUrlsAreOptIn() {
        var both = new Params(2, true, true);
        assertEquals("domain", reason(SMALL, both, "http://1.2.3.4/"));
        assertEquals("domain", reason(SMALL, both, "http://u@1.2.3.4:80/x"));
        assertNull(reason(SMALL, both, "http://1.2.3.5/"));
        assertEquals("url", reason(SMALL, both, "http://x.com/schemeless"));
        assertEquals("url", reason(SMALL, both, "https://x.com/schemeless"));
    }

    @ParameterizedTest
    @CsvSource({
        "http://www.example.com/a, www.example.com",
        "HTTPS://User:Pw@Example.COM:443/x?y#z, example.com",
        "example.com, example.com",
        "example.com:80/x, example.com",
        "//cdn.example.com/x, cdn.example.com",
        "http://[2001:DB8::1]:80/, [2001:db8::1]",
        "http://a.b.c.d./, a.b.c.d",
        "http://xn--bcher-kva.de, xn--bcher-kva.de",
        "http://bücher.de, xn--bcher-kva.de",
        "http://host?q=a@b, host",
        "'', ''",
        "http://, ''",
        "weird:x//host/, weird",
    })
    void hostExtraction(String url, String host) {
        assertEquals(host, UrlFilter.host(url));
    }

    /** The Aho-Corasick pass finds exactly what a naive substring search over every subword finds. */
    @Test
    void subwordMatchingAgreesWithNaiveSearch() {
        var random = new Random(11);
        for (int round = 0; round < 300; round++) {
            var subwords = new ArrayList<String>();
            for (int k = random.nextInt(6) + 1; k > 0; k--) {
                subwords.add(randomString(random, "abc", 1 + random.nextInt(4)));
            }
            var filter = new UrlFilter(UrlLists.empty().withBannedSubwords(subwords), Params.FINEWEB);
            for (int i = 0; i < 50; i++) {
                String url = randomString(random, "abcABC-./", random.nextInt(20));
                String normalised = UrlLists.normaliseWord(url);
                boolean expected = subwords.stream().anyMatch(normalised::contains);
                assertEquals(expected ? "blacklisted_subword" : null, filter.reason(url), subwords + " " + url);
            }
        }
    }

    private static String randomString(Random random, String alphabet, int length) {
        var sb = new StringBuilder();
        for (int i = 0; i < length; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    @Test
    void tokensAreTheDistinctAlphanumericRunsWithCaseKept() {
        assertEquals(Set.of("https", "a", "B", "c", "9", "x"), UrlFilter.tokens("https://a.B-c_9/x//x?é"));
        assertEquals(Set.of(), UrlFilter.tokens("://-_é"));
    }

    @Test
    void missingOrBlankUrlIsKeptAndCounted() {
        var filter = new UrlFilter(SMALL, Params.FINEWEB);
        var stats = new StepStats(UrlFilter.NAME);
        var noUrl = new Document("text", "a");
        var blank = new Document("text", "b", Map.of(Document.URL, "  "));
        assertSame(noUrl, ((Outcome.Keep) filter.apply(noUrl, stats)).document());
        assertSame(blank, ((Outcome.Keep) filter.apply(blank, stats)).document());
        assertEquals(2, stats.count(UrlFilter.NO_URL));
    }

    @Test
    void droppedDocumentsCarryTheirReason() {
        var filter = new UrlFilter(SMALL, Params.FINEWEB);
        var stats = new StepStats(UrlFilter.NAME);
        var doc = new Document("text", "id", Map.of(Document.URL, "http://x.com/porn"));
        var drop = assertInstanceOf(Outcome.Drop.class, filter.apply(doc, stats));
        assertEquals("hard_blacklisted", drop.reason());
        assertEquals("hard_blacklisted", drop.document().get(Document.FILTER_REASON));
        assertEquals("text", drop.document().text());
        var kept = new Document("text", "id", Map.of(Document.URL, "http://x.com/ok"));
        assertSame(kept, ((Outcome.Keep) filter.apply(kept, stats)).document());
        assertEquals("url", filter.name());
    }

    @Test
    void hostileUrlsNeverThrow() {
        var filters = List.of(UrlFilter.fineweb(), new UrlFilter(SMALL, new Params(2, true, true)));
        var urls = new ArrayList<>(List.of(
                "http://" + "a".repeat(10_000) + ".com/",
                "http://x.com/" + "porn-".repeat(2_000),
                "http://" + "a.".repeat(5_000) + "com",
                "http://" + "\u00e9".repeat(300) + ".de/",
                "http://" + "\u00e9".repeat(30) + "." + "\u00fc".repeat(70) + ".com/",
                "http://xn--.com/", "http://xn--zz-.com/", "http://-.com/", "http://..../", "http://.@:/",
                "http://", "://", "@@@", "[", "http://[::1", "http://[]/", "http://[x]:/", "?#", "\u0000\uffff",
                "http://\ud83d\ude00.example/", "http://\ud800/", "http://exa mple.com/", "javascript:alert(1)",
                "http://a:b:c:d@e:f:g/", "\\\\server\\share", "http://%65xample.com/", "http://1.2.3.4.5/",
                "http://999.999.999.999/", "http://0x7f.0.0.1/", "http://\u3002\uff0e\uff61/"));
        var random = new Random(7);
        for (int i = 0; i < 2_000; i++) {
            var sb = new StringBuilder();
            int length = random.nextInt(80);
            for (int k = 0; k < length; k++) {
                sb.append(random.nextInt(4) == 0 ? "://@.:[]/?#%-".charAt(random.nextInt(13))
                        : (char) random.nextInt(random.nextBoolean() ? 128 : 0x3000));
            }
            urls.add(sb.toString());
        }
        for (var filter : filters) {
            var stats = new StepStats(UrlFilter.NAME);
            for (String url : urls) {
                var doc = new Document("t", "id", Map.of(Document.URL, url));
                assertDoesNotThrow(() -> filter.apply(doc, stats), url);
            }
        }
        assertEquals("hard_blacklisted", UrlFilter.fineweb().reason("http://x.com/" + "porn-".repeat(2_000)));
    }

    @Test
    void sameResultsFromManyThreads() {
        var filter = UrlFilter.fineweb();
        var urls = new ArrayList<String>();
        var words = List.of("news", "sex", "hot", "porn", "freeporn", "video", "nude", "teen", "www", "blog", "cam");
        var random = new Random(3);
        for (int i = 0; i < 5_000; i++) {
            urls.add("https://" + words.get(random.nextInt(words.size())) + i + ".example.com/"
                    + words.get(random.nextInt(words.size())) + "-" + words.get(random.nextInt(words.size())));
        }
        List<String> sequential = urls.stream().map(u -> String.valueOf(filter.reason(u))).toList();
        List<String> parallel = urls.parallelStream().map(u -> String.valueOf(filter.reason(u))).toList();
        assertEquals(sequential, parallel);
    }

    // ---- UT1 blocklist folders ----

    @Test
    void readsUt1FoldersWithSelectableCategoriesAndGzip(@TempDir Path root) throws IOException {
        write(root.resolve("adult/domains"), "# UT1 adult\nadult-site.com\n\nsub.adult-host.net\n  spaced.org  \n");
        writeGz(root.resolve("adult/urls.gz"), "adult-pages.com/some/page\nhttp://full.example/x\n");
        writeGz(root.resolve("gambling/domains.gz"), "casino-site.com\n");
        write(root.resolve("notes.txt"), "not a category");
        Files.createDirectories(root.resolve("empty"));

        assertEquals(List.of("adult", "gambling"), UrlLists.ut1Categories(root));

        var adult = UrlLists.ut1(root, List.of("adult"));
        assertEquals(Set.of("adult-site.com", "sub.adult-host.net", "spaced.org"), adult.domains());
        assertEquals(Set.of("adult-pages.com/some/page", "http://full.example/x"), adult.urls());

        var filter = new UrlFilter(adult, Params.FINEWEB);
        assertEquals("domain", filter.reason("https://www.adult-site.com/"));
        assertEquals("subdomain", filter.reason("https://sub.adult-host.net/"));
        assertNull(filter.reason("https://other.adult-host.net/"));
        assertEquals("url", filter.reason("http://full.example/x"));
        assertNull(filter.reason("http://adult-pages.com/some/page"), "UT1 urls have no scheme: exact match only");
        assertEquals("url", new UrlFilter(adult, new Params(2, false, true)).reason("http://adult-pages.com/some/page"));
        assertNull(filter.reason("http://casino-site.com/"));

        var both = new UrlFilter(UrlLists.ut1(root, List.of("adult", "gambling")), Params.FINEWEB);
        assertEquals("domain", both.reason("http://casino-site.com/"));

        var withBundled = new UrlFilter(UrlLists.bundled().plus(adult), Params.FINEWEB);
        assertEquals("domain", withBundled.reason("https://www.adult-site.com/"));
        assertEquals("hard_blacklisted", withBundled.reason("https://ok.example/porn"));

        var missing = assertThrows(IOException.class, () -> UrlLists.ut1(root, List.of("adlut")));
        assertTrue(missing.getMessage().contains("adult"), missing.getMessage());
        assertThrows(IOException.class, () -> UrlLists.ut1(root, List.of("empty")));
        assertEquals(List.of(), UrlLists.ut1Categories(root.resolve("nope")));
    }

    @Test
    void extraWordsFromUserFiles(@TempDir Path dir) throws IOException {
        Path words = dir.resolve("my_banned.txt");
        write(words, "# mine\nCasino-Bonus\n\n   # indented comment\nslots\n");
        Path soft = dir.resolve("my_soft.txt.gz");
        writeGz(soft, "cheap\npills\n");
        assertEquals(List.of("Casino-Bonus", "slots"), UrlLists.readList(words));
        var lists = UrlLists.empty()
                .withBannedWords(UrlLists.readList(words))
                .withSoftBannedWords(UrlLists.readList(soft))
                .withBannedSubwords(List.of("Mega-Jackpot"))
                .withDomains(List.of("Spam-Site.ORG."));
        assertEquals(Set.of("casinobonus", "slots"), lists.bannedWords());
        assertEquals(Set.of("megajackpot"), lists.bannedSubwords());
        assertEquals(Set.of("spam-site.org"), lists.domains());
        var filter = new UrlFilter(lists, Params.FINEWEB);
        assertEquals("hard_blacklisted", filter.reason("http://x.com/casinobonus"));
        assertNull(filter.reason("http://x.com/casino-bonus"), "a normalised entry cannot match a split token");
        assertEquals("soft_blacklisted", filter.reason("http://x.com/cheap/pills"));
        assertEquals("blacklisted_subword", filter.reason("http://x.com/MEGA_jackpot"));
        assertEquals("domain", filter.reason("http://www.spam-site.org/"));
    }

    @Test
    void emptyListsKeepEverything() {
        var filter = new UrlFilter(UrlLists.empty(), Params.FINEWEB);
        assertNull(filter.reason("http://pornhub.com/porn/hot-sex"));
        var blankEntries = lists(Set.of("", " "), Set.of(""), Set.of("", "--"), Set.of(""), Set.of("", "!"));
        assertEquals(UrlLists.empty(), blankEntries);
        assertNull(new UrlFilter(blankEntries, Params.FINEWEB).reason("http://1.2.3.4/"));
    }

    // ---- bundled lists ----

    @Test
    void bundledListsAreNormalisedAndDisjoint() throws IOException {
        for (String name : List.of("banned_words.txt", "soft_banned_words.txt", "banned_subwords.txt")) {
            List<String> entries = resourceEntries(name);
            assertTrue(entries.size() >= 80, name + " has " + entries.size());
            for (String entry : entries) {
                assertEquals(UrlLists.normaliseWord(entry), entry, name + ": entry not normalised");
            }
            assertEquals(entries.size(), Set.copyOf(entries).size(), name + " has duplicates");
        }
        var bundled = UrlLists.bundled();
        assertEquals(resourceEntries("banned_words.txt").size(), bundled.bannedWords().size());
        assertTrue(bundled.domains().contains("pornhub.com"));
        assertTrue(bundled.urls().isEmpty());
        for (String soft : bundled.softBannedWords()) {
            assertTrue(!bundled.bannedWords().contains(soft), soft + " is both hard and soft");
        }
    }

    @ParameterizedTest
    @CsvSource({
        "https://www.pornhub.com/view_video.php?viewkey=1, domain",
        "https://es.xhamster.com/, domain",
        "https://example.com/free-porn-videos, hard_blacklisted",
        "https://example.com/tag/milf, hard_blacklisted",
        "https://example.com/hot-sexy-nude-pics, soft_blacklisted",
        "https://example.com/teen-webcam, soft_blacklisted",
        "https://bigtitsvideos.example/, blacklisted_subword",
        "https://example.com/watch/freepornclips, blacklisted_subword",
    })
    void bundledListsCatchTypicalAdultUrls(String url, String expected) {
        assertEquals(expected, UrlFilter.fineweb().reason(url));
    }

    /** Innocent URLs that naive word or substring matching gets wrong (the Scunthorpe problem). */
    @ParameterizedTest
    @ValueSource(strings = {
        "https://en.wikipedia.org/wiki/Scunthorpe",
        "https://www.essex.ac.uk/departments/sexual-health",
        "https://www.middlesex.example/sussex-wessex-unisex",
        "https://store.example/unisex-xxxl-t-shirt",
        "https://food.example/olives-export",
        "https://cooking.example/banana-cream-pie",
        "https://news.example/first-china-then-taiwan",
        "https://news.example/romance-scam-girlfriend",
        "https://shop.example/christmas-shop-ornaments",
        "https://www.milford.example/town-hall",
        "https://library.example/teen-and-adult-programs",
        "https://jobs.example/second-hand-jobs",
        "https://fox.example/fox-videos",
        "https://games.example/lol-icons",
        "https://birds.example/blue-tits-and-great-tits",
        "https://farm.example/cock-and-hen",
        "https://example.com/analysis/document.pdf",
        "https://www.hotels.example/hot-deals",
        "https://live.example/live-video-chat",
        "https://www.dickssportinggoods.example/",
        "https://example.com/PORN-is-uppercase",
        "https://example.com/pegging-the-dollar",
    })
    void bundledListsKeepInnocentUrls(String url) {
        assertNull(UrlFilter.fineweb().reason(url), url);
    }

    private static List<String> resourceEntries(String name) throws IOException {
        try (InputStream in = UrlLists.class.getResourceAsStream("/dev/jchat/data/filter/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(line -> !line.isBlank() && !line.startsWith("#"))
                    .toList();
        }
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    private static void writeGz(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }
}
