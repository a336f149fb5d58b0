package dev.jchat.tokenizer;

import java.util.List;
import java.util.Locale;

/**
 * Splits text into the pieces that BPE then encodes independently (tiktoken's "pat_str", HF's Split
 * pre-tokenizer). Pieces are consecutive and cover the range exactly; they are reported as char offsets so
 * that splitting allocates nothing.
 *
 * <p>The built-in patterns have hand-written splitters that give exactly what their regex gives (tested
 * against {@link java.util.regex} on random and real text); any other regex runs on java.util.regex with
 * Unicode character classes.
 */
public interface PreTokenizer {

    /** Receives one piece {@code text[start, end)}. */
    @FunctionalInterface
    interface PieceSink {
        void piece(int start, int end);
    }

    /**
     * Reports the pieces of {@code text[from, to)} in order. The range end behaves as the end of input
     * (for {@code $} and look-ahead), as it does when tiktoken matches the text between special tokens.
     */
    void split(CharSequence text, int from, int to, PieceSink sink);

    /** The regex whose matches are the pieces, as tiktoken and tokenizer.json spell it. */
    String pattern();

    /** A short name for summaries: {@code gpt2}, {@code gpt4}, {@code o200k} or {@code regex}. */
    String name();

    /** Built-in names, in the order help text lists them. */
    List<String> BUILT_IN = List.of("gpt2", "gpt4", "o200k");

    /**
     * A built-in pre-tokenizer by name ({@code gpt2}/{@code r50k}/{@code p50k}, {@code gpt4}/{@code cl100k},
     * {@code o200k}), or else the argument taken as a regex.
     */
    static PreTokenizer named(String nameOrRegex) {
        return switch (nameOrRegex.toLowerCase(Locale.ROOT)) {
            case "gpt2", "r50k", "r50k_base", "p50k", "p50k_base" -> SplitPatterns.gpt2();
            case "gpt4", "cl100k", "cl100k_base" -> SplitPatterns.gpt4();
            case "o200k", "o200k_base" -> SplitPatterns.o200k();
            default -> fromPattern(nameOrRegex);
        };
    }

    /**
     * The pre-tokenizer for a regex: the hand-written splitter when the regex is one of the built-in
     * patterns (as tokenizer.json files spell them), otherwise java.util.regex.
     */
    static PreTokenizer fromPattern(String regex) {
        return SplitPatterns.builtInFor(regex).orElseGet(() -> new RegexPreTokenizer("regex", regex));
    }
}
