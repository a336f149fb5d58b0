package dev.jchat.tokenizer;

import static dev.jchat.tokenizer.CharClass.LETTER;
import static dev.jchat.tokenizer.CharClass.LOWER;
import static dev.jchat.tokenizer.CharClass.NEWLINE;
import static dev.jchat.tokenizer.CharClass.NUMBER;
import static dev.jchat.tokenizer.CharClass.SPACE;
import static dev.jchat.tokenizer.CharClass.UPPER;
import static dev.jchat.tokenizer.CharClass.WORDY;
import static dev.jchat.tokenizer.CharClass.at;
import static dev.jchat.tokenizer.CharClass.run;
import static dev.jchat.tokenizer.CharClass.width;

/**
 * {@link SplitPatterns#O200K} without regex. Its alternatives, in order:
 * <pre>
 *   1. P? U* W+ C?      P = [^\r\n\p{L}\p{N}], U = [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}],
 *   2. P? U+ W* C?      W = [\p{Ll}\p{Lm}\p{Lo}\p{M}], C = (?i:'s|'t|'re|'ve|'m|'ll|'d)
 *   3. \p{N}{1,3}
 *   4.  ?[^\s\p{L}\p{N}]+[\r\n/]*
 *   5. \s*[\r\n]+
 *   6. \s+(?!\S)
 *   7. \s+
 * </pre>
 * Nothing is possessive, so the letter alternatives backtrack: first with the prefix taken, then without
 * it (marks are in P, U and W at once), and {@code U*} gives back code points until {@code W+} can match.
 */
final class O200kSplitter extends HandWrittenSplitter {

    O200kSplitter() {
        super("o200k", SplitPatterns.O200K);
    }

    @Override
    void scan(char[] a, int n, boolean cutPair, int base, PieceSink sink) {
        // A pair cut by the range end is a lone surrogate to the greedy runs of alternative 4, which take
        // it, but makes (?!\S) succeed in front of it as at the end of input.
        int lookAheadEnd = cutPair ? n - 1 : n;
        for (int i = 0; i < n; ) {
            int next = pieceEnd(a, i, n, lookAheadEnd);
            sink.piece(base + i, base + next);
            i = next;
        }
    }

    private static int pieceEnd(char[] a, int i, int end, int lookAheadEnd) {
        int flags = at(a, i, end);
        int after = i + width(flags);
        int next = after < end ? at(a, after, end) : 0;
        int e = letters(a, i, after, end, flags, next);
        if (e >= 0) {
            return e;
        }
        if ((flags & NUMBER) != 0) {
            return CharClass.upToThreeNumbers(a, i, end);
        }
        if ((flags & SPACE) == 0) { // [^\s\p{L}\p{N}]+[\r\n/]*
            return slashes(a, run(a, i, end, WORDY, 0), end);
        }
        if (a[i] == ' ' && after < end && (next & WORDY) == 0) { // the same after ' '
            return slashes(a, run(a, after, end, WORDY, 0), end);
        }
        int j = i;
        int lastNewline = -1;
        for (; j < end && ((flags = at(a, j, end)) & SPACE) != 0; j++) { // White_Space is all in the BMP
            if ((flags & NEWLINE) != 0) {
                lastNewline = j;
            }
        }
        if (lastNewline >= 0) {
            return lastNewline + 1; // \s*[\r\n]+
        }
        if (j >= lookAheadEnd || j - i == 1) {
            return j; // \s+(?!\S) at the end, or \s+ of one
        }
        return j - 1; // \s+(?!\S): the last space stays to lead what follows
    }

    /**
     * Alternatives 1 and 2 at {@code i}, each first with the prefix and then without, as the regex tries
     * them: the end, or -1 if none matches. {@code flags} and {@code next} are those of the first two code
     * points; the prefix can lead only a U or W, and only a U or W can start without one.
     */
    private static int letters(char[] a, int i, int after, int end, int flags, int next) {
        boolean prefixed = (flags & (LETTER | NUMBER | NEWLINE)) == 0 && (next & (UPPER | LOWER)) != 0;
        boolean unprefixed = (flags & (UPPER | LOWER)) != 0;
        int e = prefixed ? upperThenLower(a, after, end) : -1;
        if (e < 0 && unprefixed) {
            e = upperThenLower(a, i, end);
        }
        if (e < 0 && prefixed) {
            e = upperThenAnyLower(a, after, end);
        }
        if (e < 0 && unprefixed) {
            e = upperThenAnyLower(a, i, end);
        }
        return e;
    }

    /** {@code U* W+ C?} from {@code p}: the end, or -1 if it does not match. */
    private static int upperThenLower(char[] a, int p, int end) {
        int lowerEnd = -1;
        while (p < end) {
            int flags = at(a, p, end);
            if ((flags & UPPER) == 0) {
                if ((flags & LOWER) != 0) {
                    lowerEnd = run(a, p, end, LOWER, LOWER);
                }
                break;
            }
            p += width(flags);
            if ((flags & LOWER) != 0) {
                lowerEnd = p; // where W+ matches once U* has given back everything after it
            }
        }
        return lowerEnd < 0 ? -1 : CharClass.contraction(a, lowerEnd, end, true);
    }

    /** {@code U+ W* C?} from {@code p}: the end, or -1 if it does not match. */
    private static int upperThenAnyLower(char[] a, int p, int end) {
        if (p >= end || (at(a, p, end) & UPPER) == 0) {
            return -1;
        }
        int lowerEnd = run(a, run(a, p, end, UPPER, UPPER), end, LOWER, LOWER);
        return CharClass.contraction(a, lowerEnd, end, true);
    }

    /** {@code [\r\n/]*} from {@code i}. */
    private static int slashes(char[] a, int i, int end) {
        while (i < end && (a[i] == '\r' || a[i] == '\n' || a[i] == '/')) {
            i++;
        }
        return i;
    }
}
