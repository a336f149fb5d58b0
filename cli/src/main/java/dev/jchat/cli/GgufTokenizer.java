package dev.jchat.cli;

import dev.jchat.model.ModelConfig;
import dev.jchat.model.gguf.GgufValue;
import dev.jchat.tokenizer.Merge;
import dev.jchat.tokenizer.SpecialTokens;
import dev.jchat.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A jchat tokenizer as llama.cpp's {@code tokenizer.*} metadata: byte-level BPE ({@code tokenizer.ggml.model =
 * gpt2}), each token spelled in GPT-2's byte alphabet as in tokenizer.json, merges as {@code "left right"} in
 * priority order, specials as control tokens under their text, and the pre-tokenizer named for the split regex.
 */
final class GgufTokenizer {
    private static final int NORMAL = 1;
    private static final int CONTROL = 3;
    private static final int UNUSED = 5;

    /** GPT-2's {@code bytes_to_unicode}: printable Latin-1 bytes stand for themselves, the rest map from U+0100. */
    private static final char[] BYTE_CHARS = new char[256];

    static {
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            BYTE_CHARS[b] = (char) (printable ? b : next++);
        }
    }

    private GgufTokenizer() {}

    /**
     * The tokenizer keys for {@code model}'s vocabulary: ids the tokenizer does not use (a vocabulary padded for
     * speed, say) are listed as unused tokens. The chat template is included when the tokenizer has jchat's chat
     * tokens. BOS is added to prompts, because jchat trains on documents that start with it. (The BOS and EOS ids
     * themselves are the model's, written by {@link dev.jchat.model.GgufCheckpoint}.)
     */
    static Map<String, GgufValue> metadata(Tokenizer tokenizer, ModelConfig config) {
        if (tokenizer.vocabSize() > config.vocab()) {
            throw new IllegalArgumentException("the tokenizer has " + tokenizer.vocabSize() + " ids, but the model only "
                    + config.vocab() + " embeddings");
        }
        var tokens = new ArrayList<String>(config.vocab());
        int[] types = new int[config.vocab()];
        for (int id = 0; id < config.vocab(); id++) {
            if (tokenizer.isSpecial(id)) {
                tokens.add(new String(tokenizer.bytes(id), java.nio.charset.StandardCharsets.UTF_8));
                types[id] = CONTROL;
            } else if (tokenizer.contains(id)) {
                tokens.add(byteLevel(tokenizer.bytes(id)));
                types[id] = NORMAL;
            } else {
                tokens.add("[UNUSED_" + id + "]");
                types[id] = UNUSED;
            }
        }
        var merges = new ArrayList<String>(tokenizer.merges().size());
        for (Merge m : tokenizer.merges()) {
            merges.add(byteLevel(tokenizer.bytes(m.left())) + " " + byteLevel(tokenizer.bytes(m.right())));
        }
        var meta = new LinkedHashMap<String, GgufValue>();
        meta.put("tokenizer.ggml.model", GgufValue.string("gpt2"));
        meta.put("tokenizer.ggml.pre", GgufValue.string(preType(tokenizer)));
        meta.put("tokenizer.ggml.tokens", GgufValue.strings(tokens));
        meta.put("tokenizer.ggml.token_type", GgufValue.int32s(types));
        meta.put("tokenizer.ggml.merges", GgufValue.strings(merges));
        // set explicitly: llama.cpp otherwise guesses the end-of-turn token from token texts it knows
        Integer eot = tokenizer.specialTokens().get(SpecialTokens.ASSISTANT_END);
        if (eot != null) {
            meta.put("tokenizer.ggml.eot_token_id", GgufValue.uint32(eot));
        }
        meta.put("tokenizer.ggml.add_bos_token", GgufValue.bool(config.bosTokenId() >= 0));
        meta.put("tokenizer.ggml.add_eos_token", GgufValue.bool(false));
        if (ChatTemplate.fits(tokenizer)) {
            meta.put("tokenizer.chat_template", GgufValue.string(ChatTemplate.JINJA));
        }
        return meta;
    }

    /**
     * llama.cpp's name for the split regex ({@code tokenizer.ggml.pre}); an unknown name fails the load there,
     * so a regex it has no name for is refused here. {@code llama-bpe} is the GPT-4 regex with HF's
     * {@code ignore_merges} (a piece that is a token stays whole); {@code dbrx} is the same regex with plain
     * merges, which is how jchat trains.
     */
    static String preType(Tokenizer tokenizer) {
        String split = tokenizer.preTokenizer().name();
        boolean whole = tokenizer.ignoresMerges();
        return switch (split) {
            case "gpt4" -> whole ? "llama-bpe" : "dbrx";
            case "gpt2" -> plain(whole, split, "gpt-2");
            case "o200k" -> plain(whole, split, "gpt-4o");
            default -> throw new IllegalArgumentException("llama.cpp has no pre-tokenizer for the split regex "
                    + tokenizer.preTokenizer().pattern() + "; GGUF export supports the gpt2, gpt4 and o200k splits");
        };
    }

    private static String plain(boolean ignoreMerges, String split, String name) {
        if (ignoreMerges) {
            throw new IllegalArgumentException("llama.cpp's " + name + " pre-tokenizer applies merges to every piece, "
                    + "but this " + split + " tokenizer keeps pieces that are tokens whole (ignore_merges)");
        }
        return name;
    }

    /** {@code bytes} in GPT-2's byte alphabet, as tokenizer.json and GGUF spell byte-level tokens. */
    static String byteLevel(byte[] bytes) {
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            chars[i] = BYTE_CHARS[bytes[i] & 0xFF];
        }
        return new String(chars);
    }
}
