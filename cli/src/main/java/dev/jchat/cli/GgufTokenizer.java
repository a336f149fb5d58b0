package dev.jchat.cli;

import dev.jchat.model.ModelConfig;
import dev.jchat.model.gguf.GgufFile;
import dev.jchat.model.gguf.GgufValue;
import dev.jchat.tokenizer.Merge;
import dev.jchat.tokenizer.PreTokenizer;
import dev.jchat.tokenizer.SpecialTokens;
import dev.jchat.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A jchat tokenizer as llama.cpp's {@code tokenizer.*} metadata and back: byte-level BPE ({@code tokenizer.ggml.model
 * = gpt2}), each token spelled in GPT-2's byte alphabet as in tokenizer.json, merges as {@code "left right"} in
 * priority order, specials as control tokens under their text, and the pre-tokenizer named for the split regex.
 */
final class GgufTokenizer {
    private static final int NORMAL = 1;
    private static final int CONTROL = 3;
    private static final int USER_DEFINED = 4;
    private static final int UNUSED = 5;

    /** GPT-2's {@code bytes_to_unicode}: printable Latin-1 bytes stand for themselves, the rest map from U+0100. */
    private static final char[] BYTE_CHARS = new char[256];
    /** The inverse: the byte of each character below U+0144, or -1. */
    private static final int[] CHAR_BYTES = new int[256 + 68];

    static {
        Arrays.fill(CHAR_BYTES, -1);
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            BYTE_CHARS[b] = (char) (printable ? b : next++);
            CHAR_BYTES[BYTE_CHARS[b]] = b;
        }
    }

    /** llama.cpp's pre-tokenizer names that this tokenizer splits exactly as, with whether merges are ignored. */
    private record Split(String preTokenizer, boolean ignoreMerges) {}

    private static final Map<String, Split> SPLITS = Map.of(
            "llama-bpe", new Split("gpt4", true), "llama3", new Split("gpt4", true),
            "llama-v3", new Split("gpt4", true), "dbrx", new Split("gpt4", false), "gpt-2", new Split("gpt2", false),
            "gpt-4o", new Split("o200k", false));

    private GgufTokenizer() {}

    /**
     * The tokenizer keys for {@code model}'s vocabulary: ids the tokenizer does not use (a vocabulary padded for
     * speed, say) are listed as unused tokens. The chat template is included when the tokenizer has jchat's chat
     * tokens. BOS is added to prompts, because jchat trains on documents that start with it. (The BOS and EOS ids
     * themselves are the model's, written by {@link dev.jchat.model.GgufCheckpoint}.)
     */
    static Map<String, GgufValue> metadata(Tokenizer tokenizer, ModelConfig config) {
        if (tokenizer.vocabSize() > config.vocab()) {
            throw new IllegalArgumentException("the tokenizer has " + tokenizer.vocabSize() + " ids, but the model "
                    + "only " + config.vocab() + " embeddings");
        }
        var tokens = new ArrayList<String>(config.vocab());
        int[] types = new int[config.vocab()];
        for (int id = 0; id < config.vocab(); id++) {
            if (tokenizer.isSpecial(id)) {
                tokens.add(new String(tokenizer.bytes(id), StandardCharsets.UTF_8));
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
     * The tokenizer of a GGUF file: byte-level BPE with a pre-tokenizer jchat splits exactly as llama.cpp does
     * ({@code llama-bpe}, {@code dbrx}, {@code gpt-2}, {@code gpt-4o}); control and user-defined tokens become
     * specials, unused ones are left out. An {@link IOException} names the file and key it cannot use.
     */
    static Tokenizer read(GgufFile gguf) throws IOException {
        String file = gguf.file().toString();
        String model = gguf.string("tokenizer.ggml.model");
        if (!model.equals("gpt2")) {
            throw new IOException(file + ": tokenizer.ggml.model is " + model + "; only byte-level BPE (gpt2) is read");
        }
        String pre = gguf.metadata().containsKey("tokenizer.ggml.pre") ? gguf.string("tokenizer.ggml.pre") : "default";
        Split split = SPLITS.get(pre);
        if (split == null) {
            throw new IOException(file + ": tokenizer.ggml.pre " + pre + " is not one of " + SPLITS.keySet().stream()
                    .sorted().toList());
        }
        List<String> texts = strings(gguf, "tokenizer.ggml.tokens");
        long[] types = gguf.metadata().get("tokenizer.ggml.token_type") instanceof GgufValue.Ints ints
                ? ints.values() : new long[0];
        if (types.length != 0 && types.length != texts.size()) {
            throw new IOException(file + ": " + types.length + " token types for " + texts.size() + " tokens");
        }
        byte[][] ordinary = new byte[texts.size()][];
        var specials = new LinkedHashMap<String, Integer>();
        var ids = new HashMap<String, Integer>();
        for (int id = 0; id < texts.size(); id++) {
            String text = texts.get(id);
            int type = types.length == 0 ? NORMAL : (int) types[id];
            if (type == CONTROL || type == USER_DEFINED) {
                if (specials.putIfAbsent(text, id) != null) {
                    throw new IOException(file + ": special token " + text + " is listed twice");
                }
            } else if (type != UNUSED) {
                ordinary[id] = bytes(text);
                if (ordinary[id] == null) {
                    throw new IOException(file + ": token " + id + " (" + text + ") is not spelled in GPT-2's byte "
                            + "alphabet");
                }
                ids.putIfAbsent(text, id);
            }
        }
        List<String> mergeTexts = strings(gguf, "tokenizer.ggml.merges");
        var merges = new ArrayList<Merge>(mergeTexts.size());
        for (String merge : mergeTexts) {
            int space = merge.indexOf(' ');
            Integer left = space < 0 ? null : ids.get(merge.substring(0, space));
            Integer right = space < 0 ? null : ids.get(merge.substring(space + 1));
            Integer result = space < 0 ? null : ids.get(merge.substring(0, space) + merge.substring(space + 1));
            if (left == null || right == null || result == null) {
                throw new IOException(file + ": merge \"" + merge + "\" is not two tokens that make a third");
            }
            merges.add(new Merge(left, right, result));
        }
        String name = gguf.metadata().get("general.name") instanceof GgufValue.Text t ? t.value() : file;
        try {
            return Tokenizer.fromMerges(name, PreTokenizer.named(split.preTokenizer()), ordinary, merges, specials,
                    split.ignoreMerges());
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage());
        }
    }

    private static List<String> strings(GgufFile gguf, String key) throws IOException {
        if (gguf.metadata().get(key) instanceof GgufValue.Texts texts) {
            return texts.values();
        }
        throw new IOException(gguf.file() + ": " + key + " is missing or not an array of strings");
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

    /** The bytes that {@code text} spells in GPT-2's byte alphabet, or null when it is not so spelled. */
    private static byte[] bytes(String text) {
        byte[] bytes = new byte[text.length()];
        for (int i = 0; i < bytes.length; i++) {
            char c = text.charAt(i);
            if (c >= CHAR_BYTES.length || CHAR_BYTES[c] < 0) {
                return null;
            }
            bytes[i] = (byte) CHAR_BYTES[c];
        }
        return bytes;
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
