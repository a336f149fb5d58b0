package dev.jchat.data.dedup;

import java.text.Normalizer;
import java.util.Locale;

/**
 * The text simplification MinHash applies before tokenizing, so that case, spacing, punctuation, accents and
 * numbers do not hide near-duplicates. Two versions of datatrove's {@code simplify_text}:
 *
 * <ul>
 *   <li>{@link #V0_2_0} (FineWeb, the default): lowercase → strip, {@code \s+} → " " → <b>delete</b> the
 *       PUNCTUATION characters → NFD, drop nonspacing marks (Mn) → {@code \d+} → "0" → strip.
 *   <li>{@link #HEAD}: lowercase → {@code \p{Nd}+([.,،٫⎖⎗⎘]\p{Nd}+)?} → "0" → PUNCTUATION → <b>space</b>
 *       → strip, {@code \s+} → " " → NFD, drop Mn → strip.
 * </ul>
 *
 * Character classes follow Python 3's {@code str}: whitespace is {@code str.isspace()} (which, unlike Java's
 * {@code \s}, includes U+001C–U+001F and U+0085), digits are Unicode {@code Nd}. Java's Unicode tables
 * are newer than Python 3.11's; characters assigned since can classify differently (a known margin).
 */
public enum MinhashNormalization {
    V0_2_0 {
        @Override
        public String apply(String text) {
            String lower = text.toLowerCase(Locale.ROOT);
            // whitespace runs → one space; PUNCTUATION deleted (after the collapse, so "a ( b" keeps two spaces)
            var sb = new StringBuilder(lower.length());
            boolean ascii = true;
            int i = 0;
            int n = lower.length();
            while (i < n) {
                char c = lower.charAt(i);
                if (isPythonSpace(c)) {
                    while (i < n && isPythonSpace(lower.charAt(i))) {
                        i++;
                    }
                    sb.append(' ');
                    continue;
                }
                if (!isPunctuation(c)) {
                    sb.append(c);
                    ascii &= c < 0x80;
                }
                i++;
            }
            String s = ascii ? sb.toString() : stripMarks(Normalizer.normalize(sb, Normalizer.Form.NFD));
            return pythonStrip(zeroDigitRuns(s));
        }
    },
    HEAD {
        @Override
        public String apply(String text) {
            String s = zeroNumbers(text.toLowerCase(Locale.ROOT));
            var sb = new StringBuilder(s.length());
            boolean ascii = true;
            boolean inSpace = false;
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (isPunctuation(c) || isPythonSpace(c)) {
                    if (!inSpace) {
                        sb.append(' ');
                        inSpace = true;
                    }
                } else {
                    sb.append(c);
                    inSpace = false;
                    ascii &= c < 0x80;
                }
            }
            String out = ascii ? sb.toString() : stripMarks(Normalizer.normalize(sb, Normalizer.Form.NFD));
            return pythonStrip(out);
        }
    };

    /** The simplified text that MinHash tokenizes. */
    public abstract String apply(String text);

    /**
     * datatrove's PUNCTUATION: these 66 characters plus the control characters U+0000–U+001F and
     * U+007F–U+009F (later versions leave out tab and newline, which the whitespace step turns into
     * spaces either way).
     */
    static final String PUNCTUATION = "!/—”:％１〈&(、━\\【#%「」，】；+^]~“《„';’{|∶´[=-`*．（–？！：$～«〉,><》)?）。…@_.\"}►»";

    private static final long[] PUNCTUATION_BITS = new long[1024];

    static {
        for (char c : PUNCTUATION.toCharArray()) {
            PUNCTUATION_BITS[c >>> 6] |= 1L << c;
        }
        for (char c = 0; c < 32; c++) {
            PUNCTUATION_BITS[c >>> 6] |= 1L << c;
        }
        for (char c = 127; c < 160; c++) {
            PUNCTUATION_BITS[c >>> 6] |= 1L << c;
        }
    }

    static boolean isPunctuation(char c) {
        return (PUNCTUATION_BITS[c >>> 6] & (1L << c)) != 0;
    }

    /** Python's {@code str.isspace()} (and so {@code re}'s {@code \s} on str patterns). */
    static boolean isPythonSpace(int c) {
        if (c < 0x80) {
            return c == ' ' || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
        }
        return c == 0x85 || c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028
                || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
    }

    /** Python's {@code str.strip()}: leading and trailing {@link #isPythonSpace} characters removed. */
    static String pythonStrip(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isPythonSpace(s.charAt(start))) {
            start++;
        }
        while (end > start && isPythonSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    /** Drops every nonspacing mark (category Mn) from NFD text. */
    private static String stripMarks(String nfd) {
        var sb = new StringBuilder(nfd.length());
        for (int i = 0; i < nfd.length(); ) {
            int cp = nfd.codePointAt(i);
            if (Character.getType(cp) != Character.NON_SPACING_MARK) {
                sb.appendCodePoint(cp);
            }
            i += Character.charCount(cp);
        }
        return sb.toString();
    }

    private static boolean isDigit(int cp) {
        return cp >= '0' && cp <= '9' || cp >= 0x80 && Character.getType(cp) == Character.DECIMAL_DIGIT_NUMBER;
    }

    /** {@code re.sub(r"\d+", "0", s)}. */
    private static String zeroDigitRuns(String s) {
        int n = s.length();
        int first = 0;
        while (first < n && !isDigit(s.codePointAt(first))) {
            first += Character.charCount(s.codePointAt(first));
        }
        if (first == n) {
            return s;
        }
        var sb = new StringBuilder(n).append(s, 0, first);
        for (int i = first; i < n; ) {
            int cp = s.codePointAt(i);
            if (isDigit(cp)) {
                sb.append('0');
                do {
                    i += Character.charCount(cp);
                } while (i < n && isDigit(cp = s.codePointAt(i)));
            } else {
                sb.appendCodePoint(cp);
                i += Character.charCount(cp);
            }
        }
        return sb.toString();
    }

    private static boolean isDecimalSeparator(char c) {
        return c == '.' || c == ',' || c == '،' || c == '٫' || c == '⎖' || c == '⎗' || c == '⎘';
    }

    /** {@code regex.sub(r"\p{Nd}+([.,،٫⎖⎗⎘]\p{Nd}+)?", "0", s)}. */
    private static String zeroNumbers(String s) {
        int n = s.length();
        var sb = new StringBuilder(n);
        for (int i = 0; i < n; ) {
            int cp = s.codePointAt(i);
            if (!isDigit(cp)) {
                sb.appendCodePoint(cp);
                i += Character.charCount(cp);
                continue;
            }
            i = skipDigits(s, i);
            if (i + 1 < n && isDecimalSeparator(s.charAt(i)) && isDigit(s.codePointAt(i + 1))) {
                i = skipDigits(s, i + 1);
            }
            sb.append('0');
        }
        return sb.toString();
    }

    private static int skipDigits(String s, int i) {
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            if (!isDigit(cp)) {
                break;
            }
            i += Character.charCount(cp);
        }
        return i;
    }
}
