package dev.jchat.tokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A byte-level BPE tokenizer: a pre-tokenizer (split regex), merge rules, and special tokens.
 * Immutable and safe to share between threads.
 *
 * <p>Ordinary encoding never produces a special token: text that spells one is encoded as text, as
 * tiktoken's {@code encode_ordinary} does. Only the specials a caller allows are recognised
 * ({@code allowed_special}). Lone UTF-16 surrogates, which have no UTF-8 form, are encoded as U+FFFD
 * (what tiktoken does with them).
 */
public final class Tokenizer {
    private final String name;
    private final PreTokenizer preTokenizer;
    private final BytePairEncoder bpe;
    private final boolean ignoreMerges;
    private final Map<String, Integer> specials;
    private final byte[][] bytesById;
    private final boolean[] isSpecial;
    private final ThreadLocal<Scratch> scratches = ThreadLocal.withInitial(Scratch::new);

    private Tokenizer(String name, PreTokenizer preTokenizer, BytePairEncoder bpe, boolean ignoreMerges,
                      Map<String, Integer> specials) {
        this.name = name;
        this.preTokenizer = preTokenizer;
        this.bpe = bpe;
        this.ignoreMerges = ignoreMerges;
        byte[][] ordinary = bpe.tokens();
        int size = ordinary.length;
        for (int id : specials.values()) {
            size = Math.max(size, id + 1);
        }
        bytesById = Arrays.copyOf(ordinary, size);
        isSpecial = new boolean[size];
        var ordered = new LinkedHashMap<String, Integer>();
        specials.entrySet().stream().sorted(Map.Entry.comparingByValue()).forEach(e -> {
            int id = e.getValue();
            if (id < 0) {
                throw new IllegalArgumentException("special token " + e.getKey() + " has negative id " + id);
            }
            if (bytesById[id] != null) {
                throw new IllegalArgumentException("special token " + e.getKey() + " reuses id " + id);
            }
            bytesById[id] = e.getKey().getBytes(StandardCharsets.UTF_8);
            isSpecial[id] = true;
            ordered.put(e.getKey(), id);
        });
        this.specials = Collections.unmodifiableMap(ordered);
    }

    /**
     * A tokenizer with tiktoken's rules: {@code ranked[rank]} is the byte string of that rank (= id), null
     * where a rank is unused; any adjacent pair whose concatenation is ranked merges, lowest rank first.
     */
    public static Tokenizer fromRanks(String name, PreTokenizer preTokenizer, byte[][] ranked,
                                      Map<String, Integer> specials) {
        return new Tokenizer(name, preTokenizer, BytePairEncoder.fromRanks(ranked), true, specials);
    }

    /**
     * A tokenizer with HF's rules: only the listed merges apply, earlier first. {@code tokens[id]} is the
     * byte string of each ordinary id (null where unused); specials take ids outside those.
     */
    public static Tokenizer fromMerges(String name, PreTokenizer preTokenizer, byte[][] tokens, List<Merge> merges,
                                       Map<String, Integer> specials, boolean ignoreMerges) {
        return new Tokenizer(name, preTokenizer, BytePairEncoder.fromMerges(tokens, merges, ignoreMerges),
                ignoreMerges, specials);
    }

    /**
     * A tokenizer by name (one of {@link OpenAiEncoding#names()}) or path: a directory holding
     * {@code tokenizer.json}, a {@code tokenizer.json} file, or a {@code .tiktoken} rank file (split with
     * the GPT-4 pattern, no specials).
     */
    public static Tokenizer load(String nameOrPath) {
        var named = OpenAiEncoding.find(nameOrPath).map(OpenAiEncoding::tokenizer);
        if (named.isPresent()) {
            return named.get();
        }
        Path path = Path.of(nameOrPath);
        if (Files.isDirectory(path)) {
            path = path.resolve("tokenizer.json");
        }
        if (!Files.exists(path)) {
            throw new IllegalArgumentException("unknown tokenizer '" + nameOrPath + "': not a file or directory, "
                    + "and not one of the built-in encodings " + String.join(", ", OpenAiEncoding.names()));
        }
        try {
            if (path.getFileName().toString().endsWith(".tiktoken")) {
                String fileName = path.getFileName().toString();
                return fromRanks(fileName, PreTokenizer.named("gpt4"), TiktokenFile.read(path), Map.of());
            }
            return HfTokenizerJson.read(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tokenizer " + path + ": " + e.getMessage(), e);
        }
    }

    /** Encodes ordinary text: specials in it are encoded as the text they are. */
    public int[] encode(String text) {
        return encode(text, Set.of());
    }

    /** Encodes text, turning occurrences of the allowed special tokens into their ids. */
    public int[] encode(String text, Set<String> allowedSpecial) {
        var out = new IntList(text.length() / 2 + 16);
        Scratch scratch = scratches.get();
        if (allowedSpecial.isEmpty()) {
            encodeOrdinary(text, 0, text.length(), out, scratch);
            return out.toArray();
        }
        var finder = new SpecialFinder(text, allowedSpecial, specials);
        int start = 0;
        while (start < text.length()) {
            int at = finder.next(start);
            if (at < 0) {
                encodeOrdinary(text, start, text.length(), out, scratch);
                break;
            }
            encodeOrdinary(text, start, at, out, scratch);
            out.add(specials.get(finder.matched()));
            start = at + finder.matched().length();
        }
        return out.toArray();
    }

    /** Encodes text, recognising every special token of this tokenizer. */
    public int[] encodeWithSpecials(String text) {
        return encode(text, specials.keySet());
    }

    private void encodeOrdinary(String text, int from, int to, IntList out, Scratch scratch) {
        if (from >= to) {
            return;
        }
        preTokenizer.split(text, from, to, (start, end) -> {
            byte[] utf8 = scratch.utf8(end - start);
            int length = Utf8.encode(text, start, end, utf8);
            bpe.encode(utf8, length, out, scratch.bpe);
        });
    }

    /** The bytes of the ids, specials included as their text. */
    public byte[] decodeBytes(int[] ids) {
        int length = 0;
        for (int id : ids) {
            length += bytes(id).length;
        }
        byte[] out = new byte[length];
        int at = 0;
        for (int id : ids) {
            byte[] b = bytesById[id];
            System.arraycopy(b, 0, out, at, b.length);
            at += b.length;
        }
        return out;
    }

    /** The text of the ids; byte sequences that are not valid UTF-8 become U+FFFD. */
    public String decode(int[] ids) {
        return new String(decodeBytes(ids), StandardCharsets.UTF_8);
    }

    /** A decoder that turns ids into text as soon as whole characters are complete. */
    public StreamingDecoder streamingDecoder() {
        return new StreamingDecoder(this);
    }

    /** The byte string of an id (a special's is its UTF-8 text). */
    public byte[] bytes(int id) {
        if (id < 0 || id >= bytesById.length || bytesById[id] == null) {
            throw new IllegalArgumentException("token id " + id + " is not in the vocabulary of " + name
                    + " (ids 0.." + (bytesById.length - 1) + ")");
        }
        return bytesById[id];
    }

    /** Whether the id names a token (ids between the ranges may be unused). */
    public boolean contains(int id) {
        return id >= 0 && id < bytesById.length && bytesById[id] != null;
    }

    /** Whether the id is a special token. */
    public boolean isSpecial(int id) {
        return id >= 0 && id < isSpecial.length && isSpecial[id];
    }

    /** The id of a special token, or an error naming the ones that exist. */
    public int specialId(String token) {
        Integer id = specials.get(token);
        if (id == null) {
            throw new IllegalArgumentException(name + " has no special token " + token + "; it has "
                    + specials.keySet());
        }
        return id;
    }

    /** Special tokens by text, in id order. */
    public Map<String, Integer> specialTokens() {
        return specials;
    }

    /** One more than the largest id (ids in between may be unused). */
    public int vocabSize() {
        return bytesById.length;
    }

    /** The id of an ordinary token given its bytes, or -1. */
    public int tokenId(byte[] bytes) {
        return bpe.tokenId(bytes, bytes.length);
    }

    /** The merges in priority order (derived from the ranks for tiktoken vocabularies). */
    public List<Merge> merges() {
        return bpe.merges();
    }

    /** The ordinary (non-special) id range: {@code 0 .. ordinaryCount()-1}, some possibly unused. */
    public int ordinaryCount() {
        return bpe.tokens().length;
    }

    /** Whether a piece that is a token always encodes as that token (HF's {@code ignore_merges}). */
    public boolean ignoresMerges() {
        return ignoreMerges;
    }

    public PreTokenizer preTokenizer() {
        return preTokenizer;
    }

    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return "Tokenizer[" + name + ", " + vocabSize() + " ids, " + specials.size() + " specials, split "
                + preTokenizer.name() + "]";
    }

    /** Working memory of one thread: buffers and the cache of recently merged pieces. */
    private static final class Scratch {
        final BytePairEncoder.Scratch bpe = new BytePairEncoder.Scratch();
        private byte[] utf8 = new byte[256];

        byte[] utf8(int chars) {
            int needed = chars * 3;
            return utf8.length >= needed ? utf8 : (utf8 = new byte[Math.max(needed, utf8.length * 2)]);
        }
    }
}
