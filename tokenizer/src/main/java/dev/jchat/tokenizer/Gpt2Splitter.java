package dev.jchat.tokenizer;

import static dev.jchat.tokenizer.CharClass.SPACE;
import static dev.jchat.tokenizer.CharClass.WORDY;
import static dev.jchat.tokenizer.CharClass.at;
import static dev.jchat.tokenizer.CharClass.run;

/**
 * {@link SplitPatterns#GPT2} without regex:
 * {@code '(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s}.
 * Every piece is a contraction, or a run of one class (letters, numbers, or neither-nor-space) with at most
 * one leading space, or whitespace.
 */
final class Gpt2Splitter extends HandWrittenSplitter {

    Gpt2Splitter() {
        super("gpt2", SplitPatterns.GPT2);
    }

    @Override
    void scan(char[] a, int n, boolean cutPair, int base, PieceSink sink) {
        // a pair cut by the range end matches no alternative: the regex splitter reports it on its own
        int end = cutPair ? n - 1 : n;
        for (int i = 0; i < end; ) {
            int next = pieceEnd(a, i, end);
            sink.piece(base + i, base + next);
            i = next;
        }
        if (cutPair) {
            sink.piece(base + end, base + n);
        }
    }

    private static int pieceEnd(char[] a, int i, int end) {
        int contraction = CharClass.contraction(a, i, end, false);
        if (contraction > i) {
            return contraction;
        }
        int flags = at(a, i, end);
        if ((flags & SPACE) == 0) { // \p{L}++, \p{N}++ or [^\s\p{L}\p{N}]++
            return run(a, i, end, WORDY, flags & WORDY);
        }
        int j = run(a, i + 1, end, SPACE, SPACE); // White_Space is all in the BMP
        if (j == end) {
            return j; // \s++$, or \s+(?!\S) before a cut pair
        }
        if (j - i > 1) {
            return j - 1; // \s+(?!\S): the last space stays to lead what follows
        }
        if (a[i] == ' ') {
            int after = at(a, j, end);
            return run(a, j, end, WORDY, after & WORDY); // ' ?' then a run of what follows
        }
        return j; // \s
    }
}
