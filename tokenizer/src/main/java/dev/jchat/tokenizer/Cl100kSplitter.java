package dev.jchat.tokenizer;

import static dev.jchat.tokenizer.CharClass.LETTER;
import static dev.jchat.tokenizer.CharClass.NEWLINE;
import static dev.jchat.tokenizer.CharClass.NUMBER;
import static dev.jchat.tokenizer.CharClass.SPACE;
import static dev.jchat.tokenizer.CharClass.WORDY;
import static dev.jchat.tokenizer.CharClass.at;
import static dev.jchat.tokenizer.CharClass.run;
import static dev.jchat.tokenizer.CharClass.width;

/**
 * {@link SplitPatterns#GPT4} (cl100k_base) without regex:
 * {@code '(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$
 * |\s*[\r\n]|\s+(?!\S)|\s}. All its quantifiers but those on whitespace are possessive, so each alternative
 * is one forward scan; {@link #pieceEnd} tries them in the regex's order.
 */
final class Cl100kSplitter extends HandWrittenSplitter {

    Cl100kSplitter() {
        super("gpt4", SplitPatterns.GPT4);
    }

    @Override
    void scan(char[] a, int n, boolean cutPair, int base, PieceSink sink) {
        // a pair cut by the range end matches no alternative, nor does '$' before it
        int end = cutPair ? n - 1 : n;
        for (int i = 0; i < end; ) {
            int next = pieceEnd(a, i, end, !cutPair);
            sink.piece(base + i, base + next);
            i = next;
        }
        if (cutPair) {
            sink.piece(base + end, base + n);
        }
    }

    private static int pieceEnd(char[] a, int i, int end, boolean dollarAtEnd) {
        int contraction = CharClass.contraction(a, i, end, true);
        if (contraction > i) {
            return contraction;
        }
        int flags = at(a, i, end);
        if ((flags & LETTER) != 0) { // \p{L}++ with no prefix
            return run(a, i, end, LETTER, LETTER);
        }
        if ((flags & NUMBER) != 0) { // \p{N}{1,3}+
            return CharClass.upToThreeNumbers(a, i, end);
        }
        int after = i + width(flags);
        int next = after < end ? at(a, after, end) : 0;
        if ((flags & NEWLINE) == 0 && (next & LETTER) != 0) {
            return run(a, after, end, LETTER, LETTER); // one non-letter, non-newline leads a word
        }
        if ((flags & SPACE) == 0) { // [^\s\p{L}\p{N}]++[\r\n]*+
            return run(a, run(a, i, end, WORDY, 0), end, NEWLINE, NEWLINE);
        }
        if (a[i] == ' ' && after < end && (next & WORDY) == 0) { // the same after ' '
            return run(a, run(a, after, end, WORDY, 0), end, NEWLINE, NEWLINE);
        }
        int j = i;
        int lastNewline = -1;
        for (; j < end && ((flags = at(a, j, end)) & SPACE) != 0; j++) { // White_Space is all in the BMP
            if ((flags & NEWLINE) != 0) {
                lastNewline = j;
            }
        }
        if (j == end && dollarAtEnd) {
            return j; // \s++$
        }
        if (lastNewline >= 0) {
            return lastNewline + 1; // \s*[\r\n]
        }
        if (j == end || j - i == 1) {
            return j; // \s+(?!\S) before a cut pair, or \s
        }
        return j - 1; // \s+(?!\S): the last space stays to lead what follows
    }
}
