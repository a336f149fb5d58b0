package dev.jchat.data.pii;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds e-mail addresses exactly where datatrove's PII regex finds them under Python's {@code re}, in time
 * linear in the text. The regex ({@link #regex}) is
 *
 * <pre>
 *   \b LOCAL+ (\.LOCAL+)* @ ( (ALNUM ([ALNUM-]* ALNUM)? \.)+ ALNUM ([ALNUM-]* ALNUM)?
 *                           | \[ (OCTET\.){3} (OCTET | [ALNUM-]* ALNUM :) \] )
 * </pre>
 *
 * with {@code LOCAL = [a-z0-9!#$%&'*+/=?^_`{|}~-]} and {@code ALNUM = [a-z0-9]} (datatrove v0.2.0), or with
 * {@code A-Z} added to both (datatrove since 2024-05-02). Python's {@code \b} is Unicode-aware: a word
 * character is a letter, a number (Nd, Nl, No) or {@code _}; Java's {@code \b} differs, so the regex spells
 * the boundary out.
 *
 * <p>Running that regex directly costs O(n²) on long runs of local-part characters (every start position
 * rescans the run) and recurses once per domain label in Java's engine (a stack overflow on
 * {@code a@b.b.b.…}). This matcher instead anchors on each {@code @}: a match contains exactly one
 * {@code @}, its local part is a suffix of the dotted run just before it and its domain does not depend on
 * where the local part starts, so the leftmost match is the leftmost valid start before the first {@code @}
 * whose domain matches. Tests check it against the literal regex on random text.
 */
final class EmailMatcher {

    private static final String SPECIALS = "!#$%&'*+/=?^_`{|}~-";
    private static final String OCTET = "(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)";
    private static final String WORD = "[\\p{L}\\p{N}_]";
    private static final String PY_BOUNDARY =
            "(?:(?<=" + WORD + ")(?!" + WORD + ")|(?<!" + WORD + ")(?=" + WORD + "))";

    private final boolean mixedCase;
    private final Pattern domainLiteral;

    EmailMatcher(boolean mixedCase) {
        this.mixedCase = mixedCase;
        String alnum = mixedCase ? "A-Za-z0-9" : "a-z0-9";
        this.domainLiteral = Pattern.compile(
                "\\[(?:" + OCTET + "\\.){3}(?:" + OCTET + "|[" + alnum + "-]*[" + alnum + "]:)\\]");
    }

    /** datatrove's regex in Java syntax, with Python's {@code \b} spelled out; for reference and tests. */
    static String regex(boolean mixedCase) {
        String alnum = mixedCase ? "A-Za-z0-9" : "a-z0-9";
        String local = "[" + alnum + "!#$%&'*+/=?^_`{|}~-]";
        String label = "[" + alnum + "](?:[" + alnum + "-]*[" + alnum + "])?";
        return PY_BOUNDARY + local + "+(?:\\." + local + "+)*@(?:(?:" + label + "\\.)+" + label
                + "|\\[(?:" + OCTET + "\\.){3}(?:" + OCTET + "|[" + alnum + "-]*[" + alnum + "]:)\\])";
    }

    /**
     * The leftmost match starting at or after {@code from}, packed as {@code start << 32 | end}, or -1. The
     * characters before {@code from} still count for the word boundary, as in Python's {@code re.sub}.
     */
    long find(String text, int from) {
        int p = from;
        while (p < text.length()) {
            int at = text.indexOf('@', p);
            if (at < 0) {
                return -1;
            }
            int start = localStart(text, p, at);
            if (start >= 0) {
                int end = domainEnd(text, at + 1);
                if (end >= 0) {
                    return (long) start << 32 | end;
                }
            }
            p = at + 1;
        }
        return -1;
    }

    /** The leftmost s in [from, at) where {@code \b LOCAL+(\.LOCAL+)*} spans exactly [s, at), or -1. */
    private int localStart(String text, int from, int at) {
        int lo = at - 1;
        if (lo < from || !isLocal(text.charAt(lo))) {
            return -1;
        }
        // Widen to the longest valid dotted run ending at the '@': local characters, single dots between them.
        while (lo - 1 >= from) {
            char c = text.charAt(lo - 1);
            if (isLocal(c)) {
                lo--;
            } else if (c == '.' && lo - 2 >= from && isLocal(text.charAt(lo - 2))) {
                lo -= 2;
            } else {
                break;
            }
        }
        // Every suffix of that run that starts on a local character is a valid local part; the first one
        // at a Python word boundary is where the regex, scanning left to right, first succeeds.
        for (int s = lo; s < at; s++) {
            if (text.charAt(s) != '.' && isPythonWordBoundary(text, s)) {
                return s;
            }
        }
        return -1;
    }

    /** End of the domain part starting at i, or -1: a host name, else a bracketed literal. */
    private int domainEnd(String text, int i) {
        if (i >= text.length()) {
            return -1;
        }
        char first = text.charAt(i);
        if (isAlnum(first)) {
            return hostNameEnd(text, i);
        }
        if (first == '[') {
            Matcher m = domainLiteral.matcher(text).region(i, text.length());
            return m.lookingAt() ? m.end() : -1;
        }
        return -1;
    }

    /**
     * {@code (LABEL\.)+LABEL} as a backtracking engine matches it: as many "label." units as possible (a
     * unit's label must end in an alphanumeric right before its dot), then the longest final label that ends
     * in an alphanumeric; if no final label can start after the last dot, the last unit's label becomes the
     * final label (which needs at least two units).
     */
    private int hostNameEnd(String text, int i) {
        int n = text.length();
        int pos = i;
        int units = 0;
        int lastDot = -1;
        while (pos < n && isAlnum(text.charAt(pos))) {
            int j = pos;
            while (j < n && isLabelChar(text.charAt(j))) {
                j++;
            }
            if (j < n && text.charAt(j) == '.' && isAlnum(text.charAt(j - 1))) {
                units++;
                lastDot = j;
                pos = j + 1;
            } else {
                break;
            }
        }
        if (units == 0) {
            return -1;
        }
        if (pos < n && isAlnum(text.charAt(pos))) {
            int end = pos + 1;
            for (int j = pos; j < n && isLabelChar(text.charAt(j)); j++) {
                if (isAlnum(text.charAt(j))) {
                    end = j + 1;
                }
            }
            return end;
        }
        return units >= 2 ? lastDot : -1;
    }

    private boolean isAlnum(char c) {
        return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || mixedCase && c >= 'A' && c <= 'Z';
    }

    private boolean isLabelChar(char c) {
        return c == '-' || isAlnum(c);
    }

    private boolean isLocal(char c) {
        return isAlnum(c) || SPECIALS.indexOf(c) >= 0;
    }

    /** Python's {@code \b} at position s (s < length): word-ness differs on the two sides. */
    private static boolean isPythonWordBoundary(String text, int s) {
        boolean before = s > 0 && isPythonWordChar(Character.codePointBefore(text, s));
        boolean after = isPythonWordChar(text.codePointAt(s));
        return before != after;
    }

    /** {@code str.isalnum() or "_"}: letters (L*), numbers (Nd, Nl, No), underscore. */
    static boolean isPythonWordChar(int cp) {
        if (cp == '_' || Character.isLetter(cp)) {
            return true;
        }
        int type = Character.getType(cp);
        return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER
                || type == Character.OTHER_NUMBER;
    }
}
