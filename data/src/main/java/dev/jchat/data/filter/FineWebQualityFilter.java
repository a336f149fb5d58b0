package dev.jchat.data.filter;

import dev.jchat.data.text.WordTokenizer;
import dev.jchat.data.text.PythonStrings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * FineWeb's own rules (datatrove v0.2.0's {@code FineWebQualityFilter}), in this order, on
 * {@code lines = text.split("\n")}, empty lines included:
 *
 * <ul>
 *   <li>lines ending in . ' " ! ? / lines ≤ 0.12 → {@code line_punct_ratio} (optionally not when the
 *       ratio is exactly 0, {@code line_punct_exclude_zero});
 *   <li>lines of at most 30 code points / lines ≥ 0.67 → {@code short_line_ratio};
 *   <li>characters of duplicate non-blank lines (second and later occurrences) / characters of the text
 *       without its newlines ≥ 0.01 → {@code char_dup_ratio};
 *   <li>newlines / NLTK word tokens &gt; 0.3 → {@code list_ratio}.
 * </ul>
 *
 * {@link Params#head()} is datatrove HEAD (2024-12): blank lines are removed first (none left →
 * {@code empty}), a line must end in one of Unicode's ~160 sentence terminators ({@link
 * #TERMINAL_PUNCTUATION}, no quotes), and the comparisons are strict (&lt; 0.12, &gt; 0.67, &gt; 0.01).
 * Where Python would divide by zero the ratio is NaN here and the rule does not fire. Immutable and
 * thread-safe.
 */
public final class FineWebQualityFilter implements TextFilter {

    /** v0.2.0's {@code stop_chars}. */
    public static final Set<Integer> STOP_CHARS = Set.of((int) '.', (int) '\'', (int) '"', (int) '!', (int) '?');

    /** datatrove HEAD's {@code TERMINAL_PUNCTUATION} ({@code utils/text.py}): Unicode's sentence terminators. */
    public static final Set<Integer> TERMINAL_PUNCTUATION = Arrays.stream(new int[] {
        0x21, 0x2E, 0x3F, 0x589, 0x61D, 0x61E, 0x61F, 0x6D4, 0x700, 0x701, 0x702, 0x7F9, 0x837, 0x839, 0x83D, 0x83E,
        0x964, 0x965, 0x104A, 0x104B, 0x1362, 0x1367, 0x1368, 0x166E, 0x1735, 0x1736, 0x17D4, 0x17D5, 0x17D6, 0x17D9,
        0x17DA, 0x1803, 0x1809, 0x1944, 0x1945, 0x1AA8, 0x1AA9, 0x1AAA, 0x1AAB, 0x1B5A, 0x1B5B, 0x1B5E, 0x1B5F,
        0x1B7D, 0x1B7E, 0x1C3B, 0x1C3C, 0x1C7E, 0x1C7F, 0x203C, 0x203D, 0x2047, 0x2048, 0x2049, 0x2E2E, 0x2E3C,
        0x2E53, 0x2E54, 0x3002, 0xA4FF, 0xA60E, 0xA60F, 0xA6F3, 0xA6F7, 0xA876, 0xA877, 0xA8CE, 0xA8CF, 0xA92F,
        0xA9C8, 0xA9C9, 0xAA5D, 0xAA5E, 0xAA5F, 0xAAF0, 0xAAF1, 0xABEB, 0xFE52, 0xFE56, 0xFE57, 0xFF01, 0xFF0E,
        0xFF1F, 0xFF61, 0x10A56, 0x10A57, 0x10F55, 0x10F56, 0x10F57, 0x10F58, 0x10F59, 0x10F86, 0x10F87, 0x10F88,
        0x10F89, 0x11047, 0x11048, 0x110BE, 0x110BF, 0x110C0, 0x110C1, 0x11141, 0x11142, 0x11143, 0x111C5, 0x111C6,
        0x111CD, 0x111DE, 0x111DF, 0x11238, 0x11239, 0x1123B, 0x1123C, 0x112A9, 0x1144B, 0x1144C, 0x115C2, 0x115C3,
        0x115C9, 0x115CA, 0x115CB, 0x115CC, 0x115CD, 0x115CE, 0x115CF, 0x115D0, 0x115D1, 0x115D2, 0x115D3, 0x115D4,
        0x115D5, 0x115D6, 0x115D7, 0x11641, 0x11642, 0x1173C, 0x1173D, 0x1173E, 0x11944, 0x11946, 0x11A42, 0x11A43,
        0x11A9B, 0x11A9C, 0x11C41, 0x11C42, 0x11EF7, 0x11EF8, 0x11F43, 0x11F44, 0x16A6E, 0x16A6F, 0x16AF5, 0x16B37,
        0x16B38, 0x16B44, 0x16E98, 0x1BC9F, 0x1DA88,
    }).boxed().collect(Collectors.toUnmodifiableSet());

    public record Params(
            double linePunctThr,
            boolean linePunctExcludeZero,
            Set<Integer> stopChars,
            double shortLineThr,
            int shortLineLength,
            double charDuplicatesRatio,
            double newLineRatio,
            boolean headSemantics) {

        public Params {
            stopChars = Set.copyOf(stopChars);
        }

        /** datatrove v0.2.0's defaults, which FineWeb used. */
        public static Params fineweb() {
            return new Params(0.12, false, STOP_CHARS, 0.67, 30, 0.01, 0.3, false);
        }

        /** datatrove HEAD: blank lines removed first, Unicode sentence terminators, strict comparisons. */
        public static Params head() {
            return new Params(0.12, false, TERMINAL_PUNCTUATION, 0.67, 30, 0.01, 0.3, true);
        }
    }

    private final Params params;
    private final WordTokenizer tokenizer;

    public FineWebQualityFilter() {
        this(Params.fineweb(), WordTokenizer.english());
    }

    public FineWebQualityFilter(Params params, WordTokenizer tokenizer) {
        this.params = params;
        this.tokenizer = tokenizer;
    }

    @Override
    public String name() {
        return "fineweb_quality";
    }

    public Params params() {
        return params;
    }

    @Override
    public String dropReason(String text) {
        List<String> lines = PythonStrings.splitOn(text, '\n');
        List<String> nonBlank = new ArrayList<>(lines.size());
        for (String line : lines) {
            if (!PythonStrings.isBlank(line)) {
                nonBlank.add(line);
            }
        }
        if (params.headSemantics) {
            lines = nonBlank;
            if (lines.isEmpty()) {
                return "empty";
            }
        }

        int punctuated = 0;
        int shortLines = 0;
        for (String line : lines) {
            if (!line.isEmpty() && params.stopChars.contains(line.codePointBefore(line.length()))) {
                punctuated++;
            }
            if (line.length() <= params.shortLineLength || PythonStrings.length(line) <= params.shortLineLength) {
                shortLines++;
            }
        }
        double ratio = (double) punctuated / lines.size();
        boolean fewPunctuated = params.headSemantics ? ratio < params.linePunctThr : ratio <= params.linePunctThr;
        if (fewPunctuated && !(ratio == 0 && params.linePunctExcludeZero)) {
            return "line_punct_ratio";
        }

        ratio = (double) shortLines / lines.size();
        if (params.headSemantics ? ratio > params.shortLineThr : ratio >= params.shortLineThr) {
            return "short_line_ratio";
        }

        int newlines = PythonStrings.count(text, "\n");
        double charsWithoutNewlines = PythonStrings.length(text) - newlines;
        ratio = GopherRepetitionFilter.findDuplicates(nonBlank)[1] / charsWithoutNewlines;
        if (params.headSemantics ? ratio > params.charDuplicatesRatio : ratio >= params.charDuplicatesRatio) {
            return "char_dup_ratio";
        }

        if ((double) newlines / tokenizer.tokenize(text).size() > params.newLineRatio) {
            return "list_ratio";
        }
        return null;
    }
}
