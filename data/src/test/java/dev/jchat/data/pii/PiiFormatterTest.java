package dev.jchat.data.pii;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.data.Document;
import dev.jchat.data.Outcome;
import dev.jchat.data.StepStats;
import dev.jchat.data.pii.PiiFormatter.EmailCase;
import dev.jchat.data.pii.PiiFormatter.Params;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PiiFormatterTest {

    private static final String E1 = "email@example.com";
    private static final String E2 = "firstname.lastname@example.org";
    private static final String IP1 = "22.214.171.124";

    private final PiiFormatter lower = PiiFormatter.fineweb();
    private final PiiFormatter mixed = new PiiFormatter(Params.FINEWEB.withEmailCase(EmailCase.MIXED_CASE));

    /**
     * Expected outputs computed with Python 3.11's {@code re} and datatrove's regexes (v0.2.0 lowercase and
     * 2024-05 mixed-case), counters restarting per document. Columns: input, lowercase, mixed case.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            contact john@example.com today | contact email@example.com today | contact email@example.com today
            a.b-c+d@sub.domain.co.uk       | email@example.com               | email@example.com
            x@[192.168.1.1] y@[1.2.3.ab:]  | email@example.com firstname.lastname@example.org | email@example.com firstname.lastname@example.org
            John.Smith@Example.com         | John.Smith@Example.com          | email@example.com
            john@Example.com               | john@Example.com                | email@example.com
            user@example.com.              | email@example.com.              | email@example.com.
            user@example.com-              | email@example.com-              | email@example.com-
            a..b@c.com                     | a..email@example.com            | a..email@example.com
            user@localhost                 | user@localhost                  | user@localhost
            user@a.b                       | email@example.com               | email@example.com
            é@x.org                        | é@x.org                         | é@x.org
            _a@x.org                       | email@example.com               | email@example.com
            näme@x.com                     | näme@x.com                      | näme@x.com
            "#tag@x.com"                   | "#email@example.com"            | "#email@example.com"
            mailto:john@example.com        | mailto:email@example.com        | mailto:email@example.com
            a@b.com,c@d.org e@f.net        | email@example.com,firstname.lastname@example.org email@example.com | email@example.com,firstname.lastname@example.org email@example.com
            a@b.c@d.e                      | email@example.com@d.e           | email@example.com@d.e
            a.@b.com                       | a.@b.com                        | a.@b.com
            .a@b.com                       | .email@example.com              | .email@example.com
            a@-b.com                       | a@-b.com                        | a@-b.com
            a@b-.com                       | a@b-.com                        | a@b-.com
            a@b.-c.com                     | a@b.-c.com                      | a@b.-c.com
            a@b.c-d.e-                     | email@example.com-              | email@example.com-
            a@b.c.-d                       | email@example.com.-d            | email@example.com.-d
            8.8.8.8 1.1.1.1 9.9.9.9 4.4.4.4 5.5.5.5 6.6.6.6 7.7.7.7 | 22.214.171.124 126.96.36.199 188.8.131.52 184.108.40.206 220.127.116.11 18.104.22.168 22.214.171.124 | 22.214.171.124 126.96.36.199 188.8.131.52 184.108.40.206 220.127.116.11 18.104.22.168 22.214.171.124
            8.8.8.08                       | 8.8.8.08                        | 8.8.8.08
            08.8.8.8                       | 08.8.8.8                        | 08.8.8.8
            1234.5.6.78                    | 122.214.171.124                 | 122.214.171.124
            256.1.1.1                      | 222.214.171.124                 | 222.214.171.124
            1.2.3.4.5                      | 22.214.171.124.5                | 22.214.171.124.5
            999.8.8.8.8                    | 922.214.171.124.8               | 922.214.171.124.8
            v1.2.3.4                       | v22.214.171.124                 | v22.214.171.124
            192.168.0.1 and 10.1.2.3       | 192.168.0.1 and 10.1.2.3        | 192.168.0.1 and 10.1.2.3
            x@[8.8.8.8]                    | email@example.com               | email@example.com
            𝔘0#!x@b.co                     | 𝔘0email@example.com             | 𝔘0email@example.com
            😀0#!x@b.co                     | 😀email@example.com              | 😀email@example.com
            𝔘x@b.co                        | 𝔘x@b.co                         | 𝔘x@b.co
            😀x@b.co                        | 😀email@example.com              | 😀email@example.com
            """)
    void matchesDatatroveUnderPython(String input, String expectedLowercase, String expectedMixedCase) {
        assertEquals(expectedLowercase, lower.format(input).text());
        assertEquals(expectedMixedCase, mixed.format(input).text());
    }

    @Test
    void emailsAndIpsInOneDocumentCountedInStats() {
        var stats = new StepStats(PiiFormatter.NAME);
        var doc = new Document("Mail bob@mail.example.net or alice@example.org from 8.8.4.4 (LAN 192.168.1.7).", "d1");
        var out = (Outcome.Keep) lower.apply(doc, stats);
        assertEquals("Mail " + E1 + " or " + E2 + " from " + IP1 + " (LAN 192.168.1.7).", out.document().text());
        assertEquals(2, stats.count(PiiFormatter.EMAIL));
        assertEquals(1, stats.count(PiiFormatter.IP));
        assertEquals("d1", out.document().id());
    }

    @Test
    void textWithoutPiiIsReturnedAsTheSameInstance() {
        var stats = new StepStats(PiiFormatter.NAME);
        for (String text : List.of("", "plain text", "a @ b, version 1.2.3, 10.0.0.1, me@localhost", "x".repeat(10_000))) {
            var doc = new Document(text, "id");
            var out = (Outcome.Keep) lower.apply(doc, stats);
            assertSame(doc, out.document());
            assertSame(text, lower.format(text).text());
        }
        assertEquals(0, stats.count(PiiFormatter.EMAIL));
        assertEquals(0, stats.count(PiiFormatter.IP));
    }

    @Test
    void roundRobinRestartsWithEveryDocument() {
        var stats = new StepStats(PiiFormatter.NAME);
        var first = (Outcome.Keep) lower.apply(new Document("a@b.com c@d.com 8.8.8.8 9.9.9.9", "1"), stats);
        var second = (Outcome.Keep) lower.apply(new Document("x@y.com 1.1.1.1", "2"), stats);
        assertEquals(E1 + " " + E2 + " 22.214.171.124 126.96.36.199", first.document().text());
        assertEquals(E1 + " " + IP1, second.document().text());
    }

    @Test
    void outputIsIndependentOfThreadsAndOrder() {
        var texts = new ArrayList<String>();
        var random = new Random(42);
        for (int i = 0; i < 2_000; i++) {
            texts.add("u" + i + "@host" + random.nextInt(9) + ".com " + (random.nextInt(223) + 1) + ".8.8."
                    + random.nextInt(256) + " v" + i + "@x.org");
        }
        List<String> sequential = texts.stream().map(t -> lower.format(t).text()).toList();
        List<String> parallel = texts.parallelStream().map(t -> lower.format(t).text()).toList();
        List<String> reversed = IntStream.range(0, texts.size()).map(i -> texts.size() - 1 - i)
                .mapToObj(i -> lower.format(texts.get(i)).text()).toList().reversed();
        assertEquals(sequential, parallel);
        assertEquals(sequential, reversed);
    }

    @Test
    void optionsSwitchRulesOff() {
        String text = "a@b.com 8.8.8.8 192.168.0.1";
        var noEmails = new PiiFormatter(new Params(false, true, true, EmailCase.LOWERCASE,
                PiiFormatter.EMAIL_REPLACEMENTS, PiiFormatter.IP_REPLACEMENTS));
        var noIps = new PiiFormatter(new Params(true, false, true, EmailCase.LOWERCASE,
                PiiFormatter.EMAIL_REPLACEMENTS, PiiFormatter.IP_REPLACEMENTS));
        var allIps = new PiiFormatter(new Params(true, true, false, EmailCase.LOWERCASE,
                List.of("[email]"), List.of("[ip]")));
        assertEquals("a@b.com " + IP1 + " 192.168.0.1", noEmails.format(text).text());
        assertEquals(E1 + " 8.8.8.8 192.168.0.1", noIps.format(text).text());
        assertEquals("[email] [ip] [ip]", allIps.format(text).text());
        assertEquals("01.2.3.4", allIps.format("01.2.3.4").text(), "leading zeros never parse");
        assertThrows(IllegalArgumentException.class, () -> new Params(true, true, true, EmailCase.LOWERCASE,
                List.of(), PiiFormatter.IP_REPLACEMENTS));
    }

    /** Each special-purpose block: its first and last address are kept, the neighbours outside replaced. */
    @ParameterizedTest
    @CsvSource({
        "0.0.0.0, false", "0.255.255.255, false", "1.0.0.0, true",
        "9.255.255.255, true", "10.0.0.0, false", "10.255.255.255, false", "11.0.0.0, true",
        "100.63.255.255, true", "100.64.0.0, false", "100.127.255.255, false", "100.128.0.0, true",
        "126.255.255.255, true", "127.0.0.0, false", "127.0.0.1, false", "127.255.255.255, false", "128.0.0.0, true",
        "169.253.255.255, true", "169.254.0.0, false", "169.254.255.255, false", "169.255.0.0, true",
        "172.15.255.255, true", "172.16.0.0, false", "172.31.255.255, false", "172.32.0.0, true",
        "191.255.255.255, true", "192.0.0.0, false", "192.0.0.8, false", "192.0.0.9, true", "192.0.0.10, true",
        "192.0.0.11, false", "192.0.0.170, false", "192.0.0.171, false", "192.0.0.255, false", "192.0.1.0, true",
        "192.0.1.255, true", "192.0.2.0, false", "192.0.2.255, false", "192.0.3.0, true",
        "192.167.255.255, true", "192.168.0.0, false", "192.168.255.255, false", "192.169.0.0, true",
        "198.17.255.255, true", "198.18.0.0, false", "198.19.255.255, false", "198.20.0.0, true",
        "198.51.99.255, true", "198.51.100.0, false", "198.51.100.255, false", "198.51.101.0, true",
        "203.0.112.255, true", "203.0.113.0, false", "203.0.113.255, false", "203.0.114.0, true",
        "223.255.255.255, true", "224.0.0.0, true", "239.255.255.255, true",
        "240.0.0.0, false", "255.255.255.254, false", "255.255.255.255, false",
        "8.8.8.8, true", "1.1.1.1, true",
    })
    void ipv4IsGlobalAsCPython(String address, boolean global) {
        long parsed = Ipv4Registry.parse(address);
        assertTrue(parsed >= 0, address);
        assertEquals(global, Ipv4Registry.isGlobal((int) parsed), address);
        String text = "host " + address + " end";
        String expected = global ? "host " + IP1 + " end" : text;
        assertEquals(expected, lower.format(text).text());
    }

    @Test
    void ipv4ParsingFollowsPythonIpaddress() {
        assertEquals(0x08080808L, Ipv4Registry.parse("8.8.8.8"));
        assertEquals(0xFFFFFFFFL, Ipv4Registry.parse("255.255.255.255"));
        assertEquals(0L, Ipv4Registry.parse("0.0.0.0"));
        for (String bad : List.of("", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.00", "256.1.1.1", "1.2.3.1000",
                "1..2.3", "1.2.3.4.", "a.b.c.d", "1.2.3.-4", " 1.2.3.4")) {
            assertEquals(-1, Ipv4Registry.parse(bad), bad);
        }
    }

    /**
     * The linear-time matcher agrees with datatrove's regex (Python's \b spelled out) on random text. Only
     * BMP characters: Java's lookbehind sees half a surrogate pair, so the Java regex is no oracle for
     * supplementary characters (the Python-computed cases above cover them).
     */
    @Test
    void emailMatcherAgreesWithTheLiteralRegex() {
        var random = new Random(20240422);
        String[] alphabet = {"a", "b", "z", "A", "Z", "0", "9", ".", ".", "@", "@", "-", "_", "+", "!", "#", "'",
            "[", "]", ":", " ", "\n", "é", "中", "½", "Ⅻ", "\u0301", "ß", "İ", "1.2.3.4", "255.", "ab:",
            "x.co", "@b.c", "@[10.0.0.1]"};
        for (boolean mixedCase : new boolean[] {false, true}) {
            var matcher = new EmailMatcher(mixedCase);
            var regex = Pattern.compile(EmailMatcher.regex(mixedCase));
            for (int i = 0; i < 20_000; i++) {
                var sb = new StringBuilder();
                int parts = random.nextInt(25);
                for (int k = 0; k < parts; k++) {
                    sb.append(alphabet[random.nextInt(alphabet.length)]);
                }
                String text = sb.toString();
                assertEquals(regexMatches(regex, text), fastMatches(matcher, text), () -> "text: " + text);
            }
        }
    }

    private static List<String> regexMatches(Pattern regex, String text) {
        var out = new ArrayList<String>();
        var m = regex.matcher(text);
        while (m.find()) {
            out.add(m.start() + "-" + m.end());
        }
        return out;
    }

    private static List<String> fastMatches(EmailMatcher matcher, String text) {
        var out = new ArrayList<String>();
        for (long m, from = 0; (m = matcher.find(text, (int) from)) >= 0; from = (int) m) {
            out.add((m >>> 32) + "-" + (int) m);
        }
        return out;
    }

    @Test
    void hostileTextStaysLinear() {
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            String longLocal = "a".repeat(1_000_000);
            assertEquals(longLocal + ".@x.com", lower.format(longLocal + ".@x.com").text());
            assertEquals(longLocal + "@", lower.format(longLocal + "@").text());
            assertEquals(E1, lower.format(longLocal + "@x.com").text());
            String manyLabels = "x@" + "a.".repeat(200_000) + "com";
            assertEquals(E1, lower.format(manyLabels).text());
            String manyAts = "a@".repeat(300_000);
            assertEquals(manyAts, lower.format(manyAts).text());
            String digits = "1.2.3.".repeat(200_000);
            assertFalse(lower.format(digits).text().isEmpty());
        });
    }
}
