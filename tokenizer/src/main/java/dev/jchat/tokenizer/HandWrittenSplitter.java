package dev.jchat.tokenizer;

import java.util.Objects;

/**
 * Base of the splitters that replace a built-in regex with a scan over code points: exactly the pieces that
 * {@link RegexPreTokenizer} gives for the same pattern, at a fraction of the cost. The range is copied to a
 * {@code char[]} once per call so that the scan reads an array rather than calling through CharSequence.
 */
abstract sealed class HandWrittenSplitter implements PreTokenizer
        permits Gpt2Splitter, Cl100kSplitter, O200kSplitter {
    private final String name;
    private final String pattern;

    HandWrittenSplitter(String name, String pattern) {
        this.name = name;
        this.pattern = pattern;
    }

    @Override
    public final void split(CharSequence text, int from, int to, PieceSink sink) {
        Objects.checkFromToIndex(from, to, text.length());
        int n = to - from;
        if (n == 0) {
            return;
        }
        char[] a = new char[n];
        text.getChars(from, to, a, 0);
        boolean cutPair = to < text.length()
                && Character.isHighSurrogate(a[n - 1]) && Character.isLowSurrogate(text.charAt(to));
        scan(a, n, cutPair, from, sink);
    }

    /**
     * Reports the pieces of {@code a[0, n)}, offset by {@code base}. {@code cutPair} says that the range end
     * splits a surrogate pair: java.util.regex then reads the whole pair at {@code n - 1}, overruns the
     * region, and so most of its nodes fail there and look-ahead treats it as the end of input, while
     * greedy runs read it as a lone surrogate. Each pattern decides what that means for it.
     */
    abstract void scan(char[] a, int n, boolean cutPair, int base, PieceSink sink);

    @Override
    public final String pattern() {
        return pattern;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public String toString() {
        return name + " (hand-written) /" + pattern + "/";
    }
}
