package dev.jchat.tokenizer;

import java.util.Map;
import java.util.Optional;

/** The split regexes of the OpenAI encodings, and their fast splitters. */
final class SplitPatterns {
    private SplitPatterns() {}

    /** GPT-2 / r50k_base / p50k_base, as tiktoken spells it today (possessive, same matches as the original). */
    static final String GPT2 =
            "'(?:[sdmt]|ll|ve|re)| ?\\p{L}++| ?\\p{N}++| ?[^\\s\\p{L}\\p{N}]++|\\s++$|\\s+(?!\\S)|\\s";

    /** GPT-4 / cl100k_base, as tiktoken spells it today. */
    static final String GPT4 =
            "'(?i:[sdmt]|ll|ve|re)|[^\\r\\n\\p{L}\\p{N}]?+\\p{L}++|\\p{N}{1,3}+| ?[^\\s\\p{L}\\p{N}]++[\\r\\n]*+"
                    + "|\\s++$|\\s*[\\r\\n]|\\s+(?!\\S)|\\s";

    /** GPT-4o / o200k_base. */
    static final String O200K = String.join("|",
            "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
            "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
            "\\p{N}{1,3}",
            " ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*",
            "\\s*[\\r\\n]+",
            "\\s+(?!\\S)",
            "\\s+");

    /**
     * The original spellings, as older tiktoken versions and many tokenizer.json files carry them; GPT-2's
     * is also what HF's ByteLevel pre-tokenizer runs when {@code use_regex} is on.
     */
    static final String GPT2_ORIGINAL =
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
    static final String GPT4_ORIGINAL =
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*"
                    + "|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    static PreTokenizer gpt2() {
        return new Gpt2Splitter();
    }

    static PreTokenizer gpt4() {
        return new Cl100kSplitter();
    }

    static PreTokenizer o200k() {
        return new O200kSplitter();
    }

    static Optional<PreTokenizer> builtInFor(String regex) {
        var byPattern = Map.of(
                GPT2, "gpt2", GPT2_ORIGINAL, "gpt2",
                GPT4, "gpt4", GPT4_ORIGINAL, "gpt4",
                O200K, "o200k");
        return Optional.ofNullable(byPattern.get(regex)).map(PreTokenizer::named);
    }
}
