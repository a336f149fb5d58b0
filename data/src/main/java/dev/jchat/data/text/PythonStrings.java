package dev.jchat.data.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Python 3 {@code str} semantics that the FineWeb filters depend on and Java's own methods do not share:
 * what counts as whitespace ({@code strip}, {@code split}), where {@code splitlines} breaks, and that
 * {@code len} counts code points.
 */
public final class PythonStrings {
    private PythonStrings() {}

    /**
     * {@code str.isspace()} for one character: tab, LF, VT, FF, CR, the separators U+001C–001F, space,
     * NEL, NBSP, and the Unicode spaces (Java's {@link Character#isWhitespace} misses NBSP, U+2007,
     * U+202F and NEL). Every such character is in the BMP.
     */
    public static boolean isSpace(char c) {
        if (c <= ' ') {
            return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1C);
        }
        if (c < 0x85) {
            return false;
        }
        return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028
                || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
    }

    /** {@code str.strip()}. */
    public static String strip(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isSpace(s.charAt(start))) {
            start++;
        }
        while (end > start && isSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    /** {@code str.lstrip()}. */
    public static String lstrip(String s) {
        int start = 0;
        while (start < s.length() && isSpace(s.charAt(start))) {
            start++;
        }
        return s.substring(start);
    }

    /** {@code str.rstrip()}. */
    public static String rstrip(String s) {
        return s.substring(0, rstripLength(s));
    }

    /** {@code len(s.rstrip())} in chars. */
    public static int rstripLength(CharSequence s) {
        int end = s.length();
        while (end > 0 && isSpace(s.charAt(end - 1))) {
            end--;
        }
        return end;
    }

    /** {@code str.strip() != ""}. */
    public static boolean isBlank(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (!isSpace(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** {@code str.split()} (runs of whitespace, no empty pieces). */
    public static List<String> split(String s) {
        var out = new ArrayList<String>();
        split(s, out);
        return out;
    }

    /** {@code str.split()}, appending to {@code out}. */
    public static void split(String s, List<String> out) {
        int n = s.length();
        int i = 0;
        while (i < n) {
            while (i < n && isSpace(s.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && !isSpace(s.charAt(i))) {
                i++;
            }
            if (i > start) {
                out.add(s.substring(start, i));
            }
        }
    }

    /** {@code len(s.split())} without building the pieces. */
    public static int countSplit(String s) {
        int count = 0;
        boolean inWord = false;
        for (int i = 0; i < s.length(); i++) {
            boolean space = isSpace(s.charAt(i));
            if (!space && !inWord) {
                count++;
            }
            inWord = !space;
        }
        return count;
    }

    /**
     * {@code str.splitlines()}: breaks at LF, CR, CR LF, VT, FF, U+001C–001E, NEL, U+2028 and U+2029; no
     * empty piece after a final break, and none at all for "".
     */
    public static List<String> splitLines(String s) {
        var out = new ArrayList<String>();
        int n = s.length();
        int start = 0;
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (isLineBreak(c)) {
                out.add(s.substring(start, i));
                i += (c == '\r' && i + 1 < n && s.charAt(i + 1) == '\n') ? 2 : 1;
                start = i;
            } else {
                i++;
            }
        }
        if (start < n) {
            out.add(s.substring(start));
        }
        return out;
    }

    private static boolean isLineBreak(char c) {
        return c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || c == 0x1C || c == 0x1D || c == 0x1E
                || c == 0x85 || c == 0x2028 || c == 0x2029;
    }

    /** {@code s.split(sep)} for a one-character separator: keeps empty pieces, always at least one. */
    public static List<String> splitOn(String s, char sep) {
        var out = new ArrayList<String>();
        int start = 0;
        for (int i = s.indexOf(sep); i >= 0; i = s.indexOf(sep, start)) {
            out.add(s.substring(start, i));
            start = i + 1;
        }
        out.add(s.substring(start));
        return out;
    }

    /** {@code len(s)}: code points, not UTF-16 units. */
    public static int length(String s) {
        return s.codePointCount(0, s.length());
    }

    /** {@code s.count(sub)}: non-overlapping occurrences. */
    public static int count(String s, String sub) {
        int count = 0;
        for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length())) {
            count++;
        }
        return count;
    }

    /** {@code str.lower()}. */
    public static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    /** Python's {@code \w} for {@code str} patterns: {@code str.isalnum()} or {@code _}. */
    public static boolean isWordChar(int cp) {
        if (cp == '_' || Character.isLetter(cp)) {
            return true;
        }
        int type = Character.getType(cp);
        return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER
                || type == Character.OTHER_NUMBER;
    }

    /** {@code any(c.isalpha() for c in s)}. */
    public static boolean hasLetter(String s) {
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            if (Character.isLetter(cp)) {
                return true;
            }
            i += Character.charCount(cp);
        }
        return false;
    }
}
