package dev.jchat.tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * OpenAI's tiktoken encodings, with their split patterns and special tokens. The rank files come from
 * the jtokkit jar on the class path (byte-identical to tiktoken's).
 */
public enum OpenAiEncoding {
    R50K_BASE("r50k_base", "r50k_base", "gpt2", Map.of("<|endoftext|>", 50256)),
    P50K_BASE("p50k_base", "p50k_base", "gpt2", Map.of("<|endoftext|>", 50256)),
    P50K_EDIT("p50k_edit", "p50k_base", "gpt2", Map.of("<|endoftext|>", 50256,
            "<|fim_prefix|>", 50281, "<|fim_middle|>", 50282, "<|fim_suffix|>", 50283)),
    CL100K_BASE("cl100k_base", "cl100k_base", "gpt4", Map.of("<|endoftext|>", 100257,
            "<|fim_prefix|>", 100258, "<|fim_middle|>", 100259, "<|fim_suffix|>", 100260,
            "<|endofprompt|>", 100276)),
    O200K_BASE("o200k_base", "o200k_base", "o200k", Map.of("<|endoftext|>", 199999, "<|endofprompt|>", 200018));

    private static final String RESOURCE_DIR = "/com/knuddels/jtokkit/";
    private static final Map<OpenAiEncoding, Tokenizer> LOADED = new ConcurrentHashMap<>();

    private final String encodingName;
    private final String rankFile;
    private final String pattern;
    private final Map<String, Integer> specials;

    OpenAiEncoding(String encodingName, String rankFile, String pattern, Map<String, Integer> specials) {
        this.encodingName = encodingName;
        this.rankFile = rankFile;
        this.pattern = pattern;
        this.specials = specials;
    }

    /** The encoding's tiktoken name, e.g. {@code cl100k_base}. */
    public String encodingName() {
        return encodingName;
    }

    /** The tokenizer (loaded once per process, then shared). */
    public Tokenizer tokenizer() {
        return LOADED.computeIfAbsent(this, OpenAiEncoding::load);
    }

    private Tokenizer load() {
        String resource = RESOURCE_DIR + rankFile + ".tiktoken";
        try (InputStream in = OpenAiEncoding.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("rank file " + resource + " is not on the class path (it ships in "
                        + "com.knuddels:jtokkit)");
            }
            byte[][] ranks = TiktokenFile.read(in, resource);
            return Tokenizer.fromRanks(encodingName, PreTokenizer.named(pattern), ranks, specials);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The encoding with this tiktoken name (case-insensitive), if any. */
    public static Optional<OpenAiEncoding> find(String name) {
        return Arrays.stream(values())
                .filter(e -> e.encodingName.equals(name.toLowerCase(Locale.ROOT)))
                .findFirst();
    }

    /** All tiktoken names. */
    public static List<String> names() {
        return Arrays.stream(values()).map(OpenAiEncoding::encodingName).toList();
    }
}
