package dev.jchat.model.infer;

import dev.jchat.model.backend.Storage;
import dev.jchat.model.backend.Tensor;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * One token sequence being generated, with its KV cache: keys and values of every layer, kvHeads · capacity ·
 * headDim each in {@link dev.jchat.model.backend.Backend#cachedAttention}'s layout (only the key/value heads, so
 * grouped-query attention caches less). Tokens are {@link #append}ed (sampled ones, or ones a caller forces, such
 * as a tool's output) and run through the model lazily, all pending tokens in one forward pass, when
 * {@link #logits} is next asked for; so a prompt is one prefill, and a token that is never followed by another
 * costs no forward pass.
 */
public final class Sequence {

    private final Engine engine;
    private final Storage cache;
    private final int[] tokens;
    private final float[] logits;
    private int length;
    /** Tokens {@code [0, computed)} are in the cache and {@link #logits} follow the last of them. */
    private int computed;

    Sequence(Engine engine, Storage cache, int capacity, int vocab) {
        this.engine = engine;
        this.cache = cache;
        this.tokens = new int[capacity];
        this.logits = new float[vocab];
    }

    /** Tokens in the sequence, pending ones included. */
    public int length() {
        return length;
    }

    /** The longest sequence the model takes (its context). */
    public int capacity() {
        return tokens.length;
    }

    /** A copy of the tokens so far. */
    public int[] tokens() {
        return Arrays.copyOf(tokens, length);
    }

    /**
     * Adds tokens at the end; they run through the model when logits are next needed. Throws, adding nothing, when
     * an id is outside the vocabulary or the sequence would outgrow the context.
     */
    public void append(int... ids) {
        if (length + ids.length > tokens.length) {
            throw new IllegalArgumentException("the sequence of " + length + " tokens cannot take " + ids.length
                    + " more: the model's context is " + tokens.length + " tokens");
        }
        for (int id : ids) {
            if (id < 0 || id >= logits.length) {
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + logits.length);
            }
        }
        System.arraycopy(ids, 0, tokens, length, ids.length);
        length += ids.length;
    }

    /** The logits of the token after the sequence, [vocab] (a copy); runs pending tokens through the model first. */
    public float[] logits() {
        if (length == 0) {
            throw new IllegalStateException("an empty sequence has no next-token logits");
        }
        if (computed < length) {
            engine.forward(this, tokens, computed, length - computed, logits);
            computed = length;
        }
        return logits.clone();
    }

    /** The next token as {@code params} pick it from {@link #logits}; the caller decides whether to append it. */
    public int sample(SamplingParams params, RandomGenerator random) {
        return Sampler.sample(logits(), params, tokens, length, random);
    }

    /** An independent copy: same tokens, same cache, same logits. */
    public Sequence copy() {
        Sequence copy = engine.newSequence();
        copy.copyFrom(this);
        return copy;
    }

    /** Becomes a copy of {@code other} (of the same engine), reusing this sequence's cache memory. */
    void copyFrom(Sequence other) {
        engine.copyCache(other.cache, cache);
        System.arraycopy(other.tokens, 0, tokens, 0, other.length);
        System.arraycopy(other.logits, 0, logits, 0, logits.length);
        length = other.length;
        computed = other.computed;
    }

    /** Where the cache holds layer {@code layer}'s keys (values follow them). */
    Tensor keys(int layer, long perLayer) {
        return new Tensor(cache, 2 * layer * perLayer, perLayer);
    }

    Tensor values(int layer, long perLayer) {
        return new Tensor(cache, (2L * layer + 1) * perLayer, perLayer);
    }
}
