package dev.jchat.tokenizer;

/**
 * The character classes of the built-in split regexes as bit flags per code point, the way
 * java.util.regex computes them under {@code UNICODE_CHARACTER_CLASS}: from {@link Character#getType} and
 * the White_Space controls, looked up in a table for the BMP. SplitterParityTest checks every code point
 * against the regex engine, so these stay right when the JDK moves to a new Unicode version.
 *
 * <p>The scanning helpers work on a {@code char[]} up to an end index and read a surrogate pair as one code
 * point only when both halves lie before the end; a lone surrogate is a code point of no class.
 */
final class CharClass {
    private CharClass() {}

    /** {@code \p{L}}: Lu Ll Lt Lm Lo. */
    static final int LETTER = 1;
    /** {@code \p{N}}: Nd Nl No. */
    static final int NUMBER = 2;
    /** {@code \s}: Unicode White_Space (not {@link Character#isWhitespace}). */
    static final int SPACE = 4;
    /** {@code [\r\n]}. */
    static final int NEWLINE = 8;
    /** {@code [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]}: o200k's leading letters. */
    static final int UPPER = 16;
    /** {@code [\p{Ll}\p{Lm}\p{Lo}\p{M}]}: o200k's trailing letters. */
    static final int LOWER = 32;
    /** Set by {@link #at} when the code point is a surrogate pair, so that {@link #width} is 2. */
    private static final int PAIR = 64;
    /** In {@link #BMP}: a high surrogate, which may start a pair. */
    private static final int HIGH_SURROGATE = PAIR;
    private static final int CLASSES = PAIR - 1;

    /** Letters, numbers and spaces: what {@code [^\s\p{L}\p{N}]} excludes. */
    static final int WORDY = LETTER | NUMBER | SPACE;

    /**
     * The flags of every char, so that the scan looks up a table rather than {@link Character#getType}
     * (64 KiB, filled in about a millisecond). Only supplementary code points take the slow path.
     */
    private static final byte[] BMP = new byte[Character.MAX_VALUE + 1];

    static {
        for (int c = 0; c <= Character.MAX_VALUE; c++) {
            BMP[c] = (byte) (Character.isHighSurrogate((char) c) ? HIGH_SURROGATE : compute(c));
        }
    }

    private static int compute(int cp) {
        int flags = switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER, Character.TITLECASE_LETTER -> LETTER | UPPER;
            case Character.LOWERCASE_LETTER -> LETTER | LOWER;
            case Character.MODIFIER_LETTER, Character.OTHER_LETTER -> LETTER | UPPER | LOWER;
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK ->
                    UPPER | LOWER;
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> NUMBER;
            case Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> SPACE;
            default -> 0;
        };
        if ((cp >= '\t' && cp <= '\r') || cp == 0x85) {
            flags |= SPACE; // the White_Space controls, which getType calls only CONTROL
        }
        if (cp == '\r' || cp == '\n') {
            flags |= NEWLINE;
        }
        return flags;
    }

    /** The flags of one code point (a lone surrogate has none). */
    static int of(int cp) {
        return cp <= Character.MAX_VALUE ? BMP[cp] & CLASSES : compute(cp);
    }

    /** The flags of the code point at {@code a[i]}, {@code i < end}. */
    static int at(char[] a, int i, int end) {
        int flags = BMP[a[i]];
        if (flags != HIGH_SURROGATE) {
            return flags;
        }
        return i + 1 < end && Character.isLowSurrogate(a[i + 1])
                ? compute(Character.toCodePoint(a[i], a[i + 1])) | PAIR
                : 0;
    }

    /** How many chars the code point whose flags {@link #at} returned takes. */
    static int width(int flags) {
        return (flags & PAIR) == 0 ? 1 : 2;
    }

    /** The end of the run from {@code i} of code points whose {@code flags & mask} is {@code want}. */
    static int run(char[] a, int i, int end, int mask, int want) {
        while (i < end) {
            int flags = BMP[a[i]];
            if ((flags & (mask | HIGH_SURROGATE)) == want) {
                i++; // the common case: a char of the class, not the start of a pair
                continue;
            }
            if (flags != HIGH_SURROGATE || ((flags = at(a, i, end)) & mask) != want) {
                break;
            }
            i += width(flags);
        }
        return i;
    }

    /** The end of {@code \p{N}{1,3}} from {@code i}, where a number starts. */
    static int upToThreeNumbers(char[] a, int i, int end) {
        for (int k = 0; k < 3 && i < end; k++) {
            int flags = at(a, i, end);
            if ((flags & NUMBER) == 0) {
                break;
            }
            i += width(flags);
        }
        return i;
    }

    /**
     * The end of a contraction {@code 's 't 'm 'd 'll 've 're} at {@code i <= end}, or {@code i} if there
     * is none. Ignoring case follows java.util.regex with UNICODE_CASE: a char matches a letter when upper-
     * then lower-casing it gives that letter, so U+017F (long s) is an {@code s}.
     */
    static int contraction(char[] a, int i, int end, boolean ignoreCase) {
        if (i + 1 >= end || a[i] != '\'') {
            return i;
        }
        int x = ignoreCase ? fold(a[i + 1]) : a[i + 1];
        if (x == 's' || x == 't' || x == 'm' || x == 'd') {
            return i + 2;
        }
        if (i + 2 < end) {
            int y = ignoreCase ? fold(a[i + 2]) : a[i + 2];
            if ((x == 'l' && y == 'l') || (x == 'v' && y == 'e') || (x == 'r' && y == 'e')) {
                return i + 3;
            }
        }
        return i;
    }

    private static int fold(char c) {
        // for ASCII only letters can land on a lower-case letter, which is all the callers compare with
        return c < 128 ? c | 0x20 : Character.toLowerCase(Character.toUpperCase(c));
    }
}
