package dev.jchat.data.dedup;

import dev.jchat.data.text.WordTokenizer;
import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.function.Function;

/**
 * A document's MinHash signature, bit for bit as datatrove's {@code MinhashDedupSignature} computes it:
 *
 * <pre>
 * words    = tokenizer(normalization(text))                  # word_tokenize(simplify_text(text))
 * shingles = [sha1_64(" ".join(g).encode()) for g in ngrams(words, n)]   # uint64
 * sig[j]   = min over shingles of ((shingle * a[j] + b[j]) mod 2^64) mod (2^61 − 1)
 * </pre>
 *
 * split into {@code numBuckets} bands of {@code hashesPerBucket}. a and b come from
 * {@link NumpyRandomState} exactly as datatrove draws them. Every value is below 2^61, so signed and unsigned
 * order agree. Not thread-safe (it holds a {@link MessageDigest}); use one per worker.
 */
public final class MinhashSigner {
    /** The Mersenne prime 2^61 − 1. */
    public static final long MERSENNE_PRIME = (1L << 61) - 1;

    private final MinhashConfig config;
    private final Function<String, List<String>> tokenizer;
    private final long[] a;
    private final long[] b;
    private final MessageDigest sha1;
    private final byte[] digest = new byte[20];
    private long[] shingles = new long[256];
    private byte[] utf8 = new byte[4096];
    private int[] starts = new int[256];

    public MinhashSigner(MinhashConfig config, Function<String, List<String>> tokenizer) {
        this.config = config;
        this.tokenizer = tokenizer;
        long[][] params = parameters(config);
        this.a = params[0];
        this.b = params[1];
        try {
            this.sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-1", e);
        }
    }

    /**
     * The default tokenizer for a normalization: for v0.2.0 NLTK's {@code word_tokenize}, as
     * {@link NormalizedWordTokenizer}, which gives the general port's ({@link WordTokenizer}'s) tokens on
     * simplified text, the only text it sees here, about 1.6× faster (NormalizedWordTokenizerTest compares
     * the two). For HEAD, whose spaCy tokenizer is not ported, a split on spaces.
     */
    public static Function<String, List<String>> defaultTokenizer(MinhashNormalization normalization) {
        return normalization == MinhashNormalization.V0_2_0
                ? new NormalizedWordTokenizer()
                : text -> java.util.Arrays.stream(text.split(" ")).filter(w -> !w.isEmpty()).toList();
    }

    /**
     * The permutations' a (in [1, p)) and b (in [0, p)), in datatrove's order: all of a, then all of b, from
     * one {@code RandomState(seed)}.
     */
    public static long[][] parameters(MinhashConfig config) {
        var random = new NumpyRandomState(config.seed());
        long[] a = random.randintUint64(1, MERSENNE_PRIME, config.numHashes());
        long[] b = random.randintUint64(0, MERSENNE_PRIME, config.numHashes());
        return new long[][] {a, b};
    }

    public MinhashConfig config() {
        return config;
    }

    /**
     * The signature, {@code numBuckets × hashesPerBucket} values band after band, or null when the text has
     * fewer than {@code nGrams} tokens (such a document gets no signature and is never removed).
     */
    public long[] signature(String text) {
        int count = shingles(text);
        if (count == 0) {
            return null;
        }
        int numHashes = a.length;
        long[] min = new long[numHashes];
        java.util.Arrays.fill(min, Long.MAX_VALUE);
        for (int s = 0; s < count; s++) {
            long shingle = shingles[s];
            for (int j = 0; j < numHashes; j++) {
                long v = shingle * a[j] + b[j];                  // wraps mod 2^64 as numpy's uint64 does
                long r = (v & MERSENNE_PRIME) + (v >>> 61);      // ≡ v (mod p), r ≤ 2^61 + 6
                r = (r + ((r + 1) >>> 61)) & MERSENNE_PRIME;      // one conditional subtraction of p
                min[j] = Math.min(min[j], r);
            }
        }
        return min;
    }

    /** Hashes the text's n-grams into {@link #shingles}; returns how many. */
    private int shingles(String text) {
        List<String> words = tokenizer.apply(config.normalization().apply(text));
        int n = config.nGrams();
        int count = words.size() - n + 1;
        if (count <= 0) {
            return 0;
        }
        // the words joined by single spaces, in UTF-8: n-gram i is the slice from starts[i] to the end of word i+n-1
        String joined = String.join(" ", words);
        byte[] bytes = joined.getBytes(StandardCharsets.UTF_8);
        if (starts.length < words.size() + 1) {
            starts = new int[Math.max(words.size() + 1, starts.length * 2)];
        }
        if (shingles.length < count) {
            shingles = new long[Math.max(count, shingles.length * 2)];
        }
        int offset = 0;
        for (int w = 0; w < words.size(); w++) {
            starts[w] = offset;
            offset += utf8Length(words.get(w)) + 1;
        }
        starts[words.size()] = offset; // one past the (absent) trailing space
        if (offset - 1 != bytes.length) {
            throw new IllegalStateException("UTF-8 length mismatch");
        }
        for (int i = 0; i < count; i++) {
            int from = starts[i];
            int to = starts[i + n] - 1;
            shingles[i] = sha1First8(bytes, from, to - from);
        }
        return count;
    }

    private long sha1First8(byte[] data, int from, int length) {
        sha1.update(data, from, length);
        try {
            sha1.digest(digest, 0, 20);
        } catch (DigestException e) {
            throw new IllegalStateException(e);
        }
        return littleEndianLong(digest);
    }

    /** datatrove's {@code sha1_hash64}: the first 8 bytes of SHA-1, little-endian. */
    public static long sha1Hash64(byte[] data) {
        try {
            return littleEndianLong(MessageDigest.getInstance("SHA-1").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long littleEndianLong(byte[] d) {
        return (d[0] & 0xFFL) | (d[1] & 0xFFL) << 8 | (d[2] & 0xFFL) << 16 | (d[3] & 0xFFL) << 24
                | (d[4] & 0xFFL) << 32 | (d[5] & 0xFFL) << 40 | (d[6] & 0xFFL) << 48 | (d[7] & 0xFFL) << 56;
    }

    /** UTF-8 byte length as {@link String#getBytes} encodes (a lone surrogate becomes one byte, '?'). */
    private static int utf8Length(String s) {
        int len = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                len++;
            } else if (c < 0x800) {
                len += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                len += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                len++;
            } else {
                len += 3;
            }
        }
        return len;
    }
}
