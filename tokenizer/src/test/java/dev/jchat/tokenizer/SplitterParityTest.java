package dev.jchat.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The hand-written splitters against java.util.regex on the same patterns: every code point's classes,
 * every contraction, random strings over an alphabet of edge cases (whole and in sub-ranges), every
 * sub-range of a few nasty strings, Java sources and the multilingual TestPlans samples.
 */
class SplitterParityTest {

    private static final List<PreTokenizer> SPLITTERS =
            List.of(SplitPatterns.gpt2(), SplitPatterns.gpt4(), SplitPatterns.o200k());

    /** The reference for each splitter: java.util.regex on the splitter's own pattern. */
    private static final Map<String, PreTokenizer> REGEX = SPLITTERS.stream()
            .collect(Collectors.toMap(PreTokenizer::name, s -> new RegexPreTokenizer(s.name(), s.pattern())));

    private static Pattern regex(String pattern) {
        return Pattern.compile(pattern, Pattern.UNICODE_CHARACTER_CLASS);
    }

    // ---- the factories --------------------------------------------------------------------------------

    @Test
    void factoriesReturnHandWrittenSplittersUnderTheirNames() {
        assertEquals(List.of("gpt2", "gpt4", "o200k"), SPLITTERS.stream().map(PreTokenizer::name).toList());
        assertEquals(List.of(SplitPatterns.GPT2, SplitPatterns.GPT4, SplitPatterns.O200K),
                SPLITTERS.stream().map(PreTokenizer::pattern).toList());
        SPLITTERS.forEach(s -> assertInstanceOf(HandWrittenSplitter.class, s));
    }

    @Test
    void anyCharSequenceSplitsLikeAStringAndBadRangesThrowLikeTheRegex() {
        String text = "Hi  \uD83D\uDE00 it's\n\n 42";
        for (PreTokenizer splitter : SPLITTERS) {
            for (CharSequence sequence : List.of(new StringBuilder(text), CharBuffer.wrap(text))) {
                assertEquals(pieces(splitter, text, 2, 6), pieces(splitter, sequence, 2, 6));
                assertEquals(pieces(splitter, text, 0, text.length()), pieces(splitter, sequence, 0, text.length()));
            }
            for (int[] range : new int[][] {{-1, 2}, {3, 2}, {0, text.length() + 1}}) {
                for (PreTokenizer either : List.of(splitter, REGEX.get(splitter.name()))) {
                    assertThrows(IndexOutOfBoundsException.class, () -> pieces(either, text, range[0], range[1]));
                }
            }
        }
    }

    // ---- classes, per code point ----------------------------------------------------------------------

    private record ClassCheck(String regex, IntPredicate hasFlags) {}

    @Test
    void everyCodePointHasTheClassesOfTheRegexEngine() {
        var checks = List.of(
                new ClassCheck("\\p{L}", f -> (f & CharClass.LETTER) != 0),
                new ClassCheck("\\p{N}", f -> (f & CharClass.NUMBER) != 0),
                new ClassCheck("\\s", f -> (f & CharClass.SPACE) != 0),
                new ClassCheck("[\\r\\n]", f -> (f & CharClass.NEWLINE) != 0),
                new ClassCheck("[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]", f -> (f & CharClass.UPPER) != 0),
                new ClassCheck("[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]", f -> (f & CharClass.LOWER) != 0),
                new ClassCheck("[^\\s\\p{L}\\p{N}]", f -> (f & CharClass.WORDY) == 0),
                new ClassCheck("[^\\r\\n\\p{L}\\p{N}]",
                        f -> (f & (CharClass.LETTER | CharClass.NUMBER | CharClass.NEWLINE)) == 0));
        var matchers = checks.stream().map(c -> regex(c.regex()).matcher("")).toList();
        var wrong = new ArrayList<String>();
        int allFlags = CharClass.LETTER | CharClass.NUMBER | CharClass.SPACE | CharClass.NEWLINE
                | CharClass.UPPER | CharClass.LOWER;
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
            String s = Character.toString(cp);
            int flags = CharClass.of(cp);
            for (int k = 0; k < checks.size(); k++) {
                if (matchers.get(k).reset(s).matches() != checks.get(k).hasFlags().test(flags)) {
                    wrong.add("U+%04X %s".formatted(cp, checks.get(k).regex()));
                }
            }
            // the scanners read code points from a char[]; a pair must read as its code point
            char[] chars = s.toCharArray();
            int at = CharClass.at(chars, 0, chars.length);
            if ((at & allFlags) != flags || CharClass.width(at) != chars.length) {
                wrong.add("U+%04X read from chars".formatted(cp));
            }
        }
        assertEquals(List.of(), wrong.subList(0, Math.min(20, wrong.size())), wrong.size() + " mismatches");
    }

    @Test
    void contractionsFoldCaseLikeTheRegexEngine() {
        record Contraction(Matcher regex, boolean ignoreCase) {}
        var contractions = List.of(
                new Contraction(regex("'(?:[sdmt]|ll|ve|re)").matcher(""), false),
                new Contraction(regex("'(?i:[sdmt]|ll|ve|re)").matcher(""), true),
                new Contraction(regex("(?i:'s|'t|'re|'ve|'m|'ll|'d)").matcher(""), true));
        var wrong = new ArrayList<String>();
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
            String c = Character.toString(cp);
            // The code point in every place that a contraction letter (or its apostrophe) can take. Only the
            // class [sdmt] reads whole code points; the literals compare chars, so beyond the BMP (whose
            // lone surrogates stand for the halves of pairs) the first place is enough.
            List<String> places = cp <= Character.MAX_VALUE
                    ? List.of("'" + c, "'" + c + "l", "'" + c + "e", "'l" + c, "'v" + c, "'r" + c, c + "s")
                    : List.of("'" + c);
            for (String s : places) {
                char[] chars = s.toCharArray();
                for (Contraction contraction : contractions) {
                    Matcher m = contraction.regex().reset(s);
                    int expected = m.lookingAt() ? m.end() : 0;
                    if (CharClass.contraction(chars, 0, chars.length, contraction.ignoreCase()) != expected) {
                        wrong.add(contraction.regex().pattern() + " on " + escape(s));
                    }
                }
            }
        }
        assertEquals(List.of(), wrong.subList(0, Math.min(20, wrong.size())), wrong.size() + " mismatches");
    }

    // ---- random strings ---------------------------------------------------------------------------------

    /** Pieces that stress every alternative and class boundary of the three patterns. */
    private static final List<String> ALPHABET = List.of(
            "a", "b", "s", "t", "l", "e", "v", "r", "S", "T", "L", "E", "Hello", "WORLD", "x", "Ab", "aB",
            "0", "7", "123", "4567", "0123456789012",
            "!", ".", ",", "-", "/", "//", "\"", "(", "#", "_", "'", "''",
            "'s", "'S", "'t", "'T", "'d", "'m", "'M", "'ll", "'LL", "'lL", "'re", "'RE", "'ve", "'VE", "'x",
            "'\u017F", "\u017F", "\u212A", "'\u212A",
            " ", " ", " ", "  ", "   ", "                ", "\t", "\r", "\n", "\r\n", "\n\n", "\n\n\n\n",
            "\n  \n ", " \n", "\u000B", "\u000C", "\u00A0", "\u2028", "\u2029", "\u3000", "\u0085", "\u001C",
            "\u2007", "\u202F", "\u1680",
            "\u0301", "e\u0301", "E\u0301", "\u0903", "\u20DD", "\u0301\u0301",
            "한국어", "안", "中文", "字", "こんにちは", "カタカナ", "Ωμέγα", "ΑΒΓ", "Привет", "МИР", "ß",
            "\u01C5", "\u01C5a", "\u02B0", "\u02B0a", "\u00AA", "\u0E01\u0E31",
            "\u0661", "\u0662\u0663", "\uFF11", "\u00B2", "\u2160", "\u216B", "\uD835\uDFCE", "\uD835\uDC00",
            "\uD835\uDC1A", "\uD840\uDC00",
            "\uD83D\uDE00", "\uD83D\uDC4D\uD83C\uDFFD", "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67",
            "\u2764\uFE0F", "\uD83C\uDDF0\uD83C\uDDF7", "\u200D", "\uFE0F",
            "\uD83D", "\uDE00", "\uDBFF", "\uDC00");

    @Provide
    Arbitrary<String> texts() {
        return Arbitraries.of(ALPHABET).list().ofMaxSize(40).map(parts -> String.join("", parts));
    }

    @Property(tries = 4000)
    void gpt2SplitsLikeItsRegex(@ForAll("texts") String text,
            @ForAll @IntRange(max = 400) int cutFront, @ForAll @IntRange(max = 400) int cutBack) {
        assertSameInWholeAndPart(SplitPatterns.gpt2(), text, cutFront, cutBack);
    }

    @Property(tries = 4000)
    void gpt4SplitsLikeItsRegex(@ForAll("texts") String text,
            @ForAll @IntRange(max = 400) int cutFront, @ForAll @IntRange(max = 400) int cutBack) {
        assertSameInWholeAndPart(SplitPatterns.gpt4(), text, cutFront, cutBack);
    }

    @Property(tries = 4000)
    void o200kSplitsLikeItsRegex(@ForAll("texts") String text,
            @ForAll @IntRange(max = 400) int cutFront, @ForAll @IntRange(max = 400) int cutBack) {
        assertSameInWholeAndPart(SplitPatterns.o200k(), text, cutFront, cutBack);
    }

    private static void assertSameInWholeAndPart(PreTokenizer splitter, String text, int cutFront, int cutBack) {
        assertSameAsRegex(splitter, text, 0, text.length());
        int from = cutFront % (text.length() + 1);
        int to = text.length() - cutBack % (text.length() - from + 1);
        assertSameAsRegex(splitter, text, from, to);
    }

    /** Strings where ranges cut surrogate pairs, whitespace runs before letters, contractions and marks. */
    @Test
    void everySubRangeOfNastyStringsSplitsLikeTheRegex() {
        var nasty = List.of(
                "a  \uD83D\uDE00b \uD83D\uDE00\uD83D\uDE00!",
                "x \n\n  \uD83D\uDE00 \t\uD83D\uDE00\r\n",
                "!!\uD83D\uDE00  'll\uD83D\uDE00'S \u00A0\u00A0x",
                "\uD83D\uDE00\u0301A\u0301b\u01C5\u02B0'Re \u2160\u2161\u2162\u2163",
                "HELLO'S wOrLd'\u017F  123456 \u0661\u0662\u0663\u0664 //\n/x",
                "\u0301\u0301ABC \u0301 AB'd ab\uD835\uDC00\uD835\uDC1A'M\u3000\u3000\u0085z",
                "  \r \n\u000B\u000C \u2028 end\uDE00\uD83D ");
        for (String text : nasty) {
            for (PreTokenizer splitter : SPLITTERS) {
                for (int from = 0; from <= text.length(); from++) {
                    for (int to = from; to <= text.length(); to++) {
                        assertSameAsRegex(splitter, text, from, to);
                    }
                }
            }
        }
    }

    // ---- real text ------------------------------------------------------------------------------------

    @Test
    void javaSourcesSplitLikeTheRegex() throws IOException {
        List<Source> sources = javaSources(4_000_000);
        assertTrue(sources.size() > 100, "read " + sources.size() + " sources");
        for (PreTokenizer splitter : SPLITTERS) {
            PreTokenizer regex = REGEX.get(splitter.name());
            for (Source source : sources) {
                String text = source.text();
                int[] expected = boundaries(regex, text, 0, text.length());
                int[] actual = boundaries(splitter, text, 0, text.length());
                if (!Arrays.equals(expected, actual)) {
                    int at = Arrays.mismatch(expected, actual);
                    int around = expected[Math.max(0, at - 1)];
                    throw new AssertionError(splitter.name() + " on " + source.name() + " at char " + around + ": "
                            + escape(text.substring(around, Math.min(text.length(), around + 40))));
                }
            }
        }
    }

    @Test
    void testPlanSamplesSplitLikeTheRegex() throws IOException {
        List<String> samples = Files.readAllLines(sharedPath("data/tokenizer/TestPlans.txt"), StandardCharsets.UTF_8)
                .stream().filter(line -> line.startsWith("Sample: ")).map(line -> line.substring(8)).toList();
        assertEquals(313, samples.size());
        for (String sample : samples) {
            for (PreTokenizer splitter : SPLITTERS) {
                assertSameAsRegex(splitter, sample, 0, sample.length());
            }
        }
    }

    /**
     * Not a check: prints MB/s of the regex and the hand-written splitters on ~20 MB of mixed text, timed in
     * this thread's CPU time so that other work on a shared machine disturbs it less.
     */
    @Test
    @EnabledIfSystemProperty(named = "jchat.bench", matches = "true")
    void throughput() throws IOException {
        var text = new StringBuilder();
        javaSources(14_000_000).forEach(source -> text.append(source.text()));
        List<String> samples = Files.readAllLines(sharedPath("data/tokenizer/TestPlans.txt"), StandardCharsets.UTF_8);
        while (text.length() < 20_000_000) {
            samples.forEach(line -> text.append(line).append('\n'));
        }
        String s = text.toString();
        double mb = s.getBytes(StandardCharsets.UTF_8).length / 1e6;
        for (PreTokenizer splitter : SPLITTERS) {
            PreTokenizer regex = REGEX.get(splitter.name());
            System.out.printf("%-6s %.1f MB: regex %7.1f MB/s, hand-written %7.1f MB/s%n",
                    splitter.name(), mb, mb / bestSeconds(regex, s), mb / bestSeconds(splitter, s));
        }
    }

    private static double bestSeconds(PreTokenizer splitter, String text) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double best = Double.MAX_VALUE;
        long[] pieces = new long[1];
        for (int run = 0; run < 5; run++) {
            long start = threads.getCurrentThreadCpuTime();
            splitter.split(text, 0, text.length(), (from, to) -> pieces[0]++);
            best = Math.min(best, (threads.getCurrentThreadCpuTime() - start) / 1e9);
        }
        return best;
    }

    private record Source(String name, String text) {}

    /** The JDK's own java.util sources, in a fixed order, up to about {@code chars} chars. */
    private static List<Source> javaSources(int chars) throws IOException {
        Path zip = Path.of(System.getProperty("java.home"), "lib", "src.zip");
        assumeTrue(Files.exists(zip), "no " + zip);
        var sources = new ArrayList<Source>();
        try (var file = new ZipFile(zip.toFile())) {
            List<? extends ZipEntry> entries = file.stream()
                    .filter(e -> e.getName().startsWith("java.base/java/") && e.getName().endsWith(".java"))
                    .sorted((x, y) -> x.getName().compareTo(y.getName())).toList();
            int total = 0;
            for (ZipEntry entry : entries) {
                if (total >= chars) {
                    break;
                }
                try (InputStream in = file.getInputStream(entry)) {
                    String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    sources.add(new Source(entry.getName(), text));
                    total += text.length();
                }
            }
        }
        return sources;
    }

    private static Path sharedPath(String relative) {
        String shared = System.getProperty("jchat.shared");
        Path root = shared != null ? Path.of(shared)
                : Path.of("").toAbsolutePath().getParent().resolve("../shared");
        return root.resolve(relative).normalize();
    }

    // ---- comparing ------------------------------------------------------------------------------------

    private record Piece(int start, int end, String text) {
        @Override
        public String toString() {
            return start + ".." + end + " \"" + escape(text) + "\"";
        }
    }

    private static void assertSameAsRegex(PreTokenizer splitter, String text, int from, int to) {
        assertEquals(pieces(REGEX.get(splitter.name()), text, from, to), pieces(splitter, text, from, to),
                () -> splitter.name() + " on \"" + escape(text) + "\" [" + from + ", " + to + ")");
    }

    private static List<Piece> pieces(PreTokenizer splitter, CharSequence text, int from, int to) {
        var pieces = new ArrayList<Piece>();
        splitter.split(text, from, to, (start, end) -> {
            if (end <= start) { // fail at once rather than loop for ever
                throw new AssertionError(splitter.name() + ": empty piece at " + start + " in " + escape(text));
            }
            pieces.add(new Piece(start, end, text.subSequence(start, end).toString()));
        });
        return pieces;
    }

    /** The range start and then each piece's end, checking that pieces are consecutive: compact for long texts. */
    private static int[] boundaries(PreTokenizer splitter, String text, int from, int to) {
        var ends = new Ends(from);
        splitter.split(text, from, to, ends);
        return ends.toArray();
    }

    private static final class Ends implements PreTokenizer.PieceSink {
        private int[] ends = new int[1024];
        private int count;

        Ends(int from) {
            ends[count++] = from;
        }

        @Override
        public void piece(int start, int end) {
            if (start != ends[count - 1] || end <= start) {
                throw new AssertionError("piece " + start + ".." + end + " after " + ends[count - 1]);
            }
            if (count == ends.length) {
                ends = Arrays.copyOf(ends, count * 2);
            }
            ends[count++] = end;
        }

        int[] toArray() {
            return Arrays.copyOf(ends, count);
        }
    }

    private static String escape(CharSequence s) {
        var out = new StringBuilder();
        s.chars().forEach(c -> out.append(c >= 0x20 && c < 0x7F ? String.valueOf((char) c) : "\\u%04X".formatted(c)));
        return out.toString();
    }
}
