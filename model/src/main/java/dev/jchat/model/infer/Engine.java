package dev.jchat.model.infer;

import dev.jchat.model.LlamaModel;
import dev.jchat.model.ModelConfig;
import dev.jchat.model.ParameterLayout;
import dev.jchat.model.backend.Backend;
import dev.jchat.model.backend.QuantizedMatrix;
import dev.jchat.model.backend.Storage;
import dev.jchat.model.backend.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Text generation with a KV cache, as nanochat's engine does it: the prompt is prefilled once (one forward pass over
 * all its tokens), each of N samples starts from a copy of that cache, and every new token then costs one forward
 * pass of one row against the cache. The forward is the model's (same parameters, same RoPE tables, same kernels),
 * without the activations that training saves.
 *
 * <p>Finer control, e.g. a tool-use state machine that forces tokens between steps, works on {@link Sequence}s
 * directly: {@link #start}, then {@link Sequence#sample} and {@link Sequence#append} in any mix.
 *
 * <p>One engine serves one thread: its sequences share its scratch buffers.
 */
public final class Engine {

    /** Why a sample ended. */
    public enum Finish {
        /** It sampled one of the stop tokens (EOS), which is not part of the completion. */
        STOP_TOKEN,
        /** It reached the token limit. */
        LENGTH,
        /** The sequence filled the model's context. */
        CONTEXT,
        /** The listener asked to stop (a stop string, say). */
        STOPPED
    }

    /** One sample's new tokens, and why it ended. */
    public record Completion(int[] tokens, Finish finish) {}

    /**
     * Sees each new token of a sample as it is chosen (a stop token is not shown); returns false to end the sample.
     * Streaming callers decode here, holding back bytes until UTF-8 characters are complete. Samples run one after
     * another, each between its {@code started} and {@code finished} calls.
     */
    @FunctionalInterface
    public interface Listener {
        boolean token(int sample, int token);

        default void started(int sample) {}

        default void finished(int sample, Completion completion) {}
    }

    /**
     * @param samples    completions of the one prompt; sample i draws from a generator seeded with {@code seed + i}, so
     *                   any one sample can be reproduced alone
     * @param maxTokens  new tokens per sample at most
     * @param stopTokens ids that end a sample (EOS)
     */
    public record Options(int samples, int maxTokens, SamplingParams sampling, long seed, int... stopTokens) {
        public Options {
            if (samples < 1 || maxTokens < 0) {
                throw new IllegalArgumentException("need at least one sample and a non-negative token limit");
            }
            stopTokens = stopTokens.clone();
        }
    }

    /** What a {@link #generate} call produced, with the time of its two phases. */
    public record Generation(List<Completion> completions, int promptTokens, long prefillNanos, int decodedTokens,
                             long decodeNanos) {
        public double prefillTokensPerSecond() {
            return promptTokens / (prefillNanos / 1e9);
        }

        public double decodeTokensPerSecond() {
            return decodedTokens / (decodeNanos / 1e9);
        }
    }

    private final LlamaModel model;
    private final ModelConfig config;
    private final Backend backend;
    private final Tensor params;
    /** Q8_0 matrices to multiply by instead of the float parameters; null for an f32 engine. */
    private final QuantizedWeights quantized;
    /** Cache elements per layer for keys (as many again for values): kvHeads · seqLen · headDim. */
    private final long perLayer;
    private Scratch scratch;

    /** An engine that multiplies by the model's float parameters. */
    public Engine(LlamaModel model) {
        this(model, null);
    }

    /**
     * An engine that multiplies by {@code weights}' Q8_0 matrices where it has them (and by the float parameters
     * elsewhere: norms, the embedding, any matrix left float); null weights mean f32 throughout.
     */
    public Engine(LlamaModel model, QuantizedWeights weights) {
        if (weights != null && weights.model() != model) {
            throw new IllegalArgumentException("the quantised weights belong to another model");
        }
        this.quantized = weights;
        this.model = model;
        this.config = model.config();
        this.backend = model.backend();
        this.params = model.parameters();
        this.perLayer = (long) config.kvHeads() * config.seqLen() * config.headDim();
    }

    /** What the engine multiplies by: "q8_0" with quantised weights, else "f32". */
    public String weightType() {
        return quantized != null ? "q8_0" : "f32";
    }

    /**
     * A new sequence holding {@code prompt} (not yet run: the first {@link Sequence#logits} call prefills it).
     * Throws when the prompt is empty, or leaves no room in the context for a new token.
     */
    public Sequence start(int[] prompt) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt is empty (it should at least hold BOS)");
        }
        if (prompt.length >= config.seqLen()) {
            throw new IllegalArgumentException("the prompt of " + prompt.length + " tokens leaves no room to generate: "
                    + "the model's context is " + config.seqLen() + " tokens");
        }
        Sequence sequence = newSequence();
        sequence.append(prompt);
        return sequence;
    }

    /**
     * {@code options.samples()} completions of {@code prompt}, one after another, each streamed to {@code listener}.
     * A sample ends at a stop token, at the token limit, when the context is full, or when the listener says so.
     */
    public Generation generate(int[] prompt, Options options, Listener listener) {
        Sequence start = start(prompt);
        long t0 = System.nanoTime();
        start.logits();
        long prefill = System.nanoTime() - t0;
        var completions = new ArrayList<Completion>();
        int decoded = 0;
        long t1 = System.nanoTime();
        Sequence work = null;
        for (int i = 0; i < options.samples(); i++) {
            // the last sample may use the prefilled sequence itself; the others work on a copy of it
            boolean last = i == options.samples() - 1;
            if (last) {
                work = start;
            } else if (work == null) {
                work = start.copy();
            } else {
                work.copyFrom(start);
            }
            listener.started(i);
            var random = new SplittableRandom(options.seed() + i);
            int[] produced = new int[Math.min(options.maxTokens(), work.capacity() - work.length())];
            int count = 0;
            Finish finish;
            while (true) {
                if (count == options.maxTokens()) {
                    finish = Finish.LENGTH;
                    break;
                }
                if (work.length() == work.capacity()) {
                    finish = Finish.CONTEXT;
                    break;
                }
                int token = work.sample(options.sampling(), random);
                decoded++;
                if (contains(options.stopTokens(), token)) {
                    finish = Finish.STOP_TOKEN;
                    break;
                }
                produced[count++] = token;
                work.append(token);
                if (!listener.token(i, token)) {
                    finish = Finish.STOPPED;
                    break;
                }
            }
            var completion = new Completion(Arrays.copyOf(produced, count), finish);
            completions.add(completion);
            listener.finished(i, completion);
        }
        return new Generation(List.copyOf(completions), prompt.length, prefill, decoded, System.nanoTime() - t1);
    }

    private static boolean contains(int[] ids, int id) {
        for (int x : ids) {
            if (x == id) {
                return true;
            }
        }
        return false;
    }

    Sequence newSequence() {
        return new Sequence(this, backend.allocate(2 * config.layers() * perLayer), config.seqLen(), config.vocab());
    }

    /**
     * Copies one cache into another: all of it, in one call, because the keys are stored transposed (in tiles) and the
     * used positions of a head are no contiguous run (a copy per head and dimension would be thousands of calls).
     */
    void copyCache(Storage from, Storage to) {
        backend.copy(Tensor.of(to), Tensor.of(from));
    }

    /**
     * Runs {@code tokens[from .. from + t)} through the model at positions {@code from ..}, adding their keys and
     * values to the sequence's cache, and writes the logits after the last of them into {@code logits}.
     */
    void forward(Sequence sequence, int[] tokens, int from, int t, float[] logits) {
        int c = config.dim();
        int f = config.ffn();
        int q = config.qkvDim();
        int heads = config.heads();
        int kv = config.kvHeads();
        int hd = config.headDim();
        float eps = (float) config.normEps();
        Scratch s = scratch(t);
        ParameterLayout layout = model.layout();
        Tensor x = s.x.slice(0, (long) t * c);
        Tensor proj = s.proj.slice(0, (long) t * c);
        // x [t, C] = embedding[tokens]
        backend.embedding(x, param(layout.embedding(), (long) config.vocab() * c), Arrays.copyOfRange(tokens, from,
                from + t), t, c);
        for (int l = 0; l < config.layers(); l++) {
            ParameterLayout.Layer w = layout.layer(l);
            QuantizedWeights.Layer qw = quantized != null ? quantized.layer(l) : null;
            // ln [t, C] = rmsnorm(x); qkv [t, Q] = ln · w_qkvᵀ, queries and keys rotated to their positions
            backend.rmsNorm(s.ln, s.rstd, x, param(w.inputNorm(), c), t, c, eps);
            linear(s.qkv, s.ln, qw != null ? qw.qkv() : null, w.qkv(), t, c, q);
            backend.rope(s.qkv, model.ropeCos(), model.ropeSin(), 1, t, q, heads + kv, hd, from, false);
            // attn [t, C] against the cache, which takes these rows' keys and values
            backend.cachedAttention(s.attn, s.qkv, sequence.keys(l, perLayer), sequence.values(l, perLayer), t, from,
                    config.seqLen(), heads, kv, hd);
            // x += attn · w_oᵀ
            linear(proj, s.attn, qw != null ? qw.attnOut() : null, w.attnOut(), t, c, c);
            backend.add(x, proj);
            // x += swiglu(rmsnorm(x) · w_guᵀ) · w_downᵀ
            backend.rmsNorm(s.ln, s.rstd, x, param(w.postNorm(), c), t, c, eps);
            linear(s.gateUp, s.ln, qw != null ? qw.gateUp() : null, w.gateUp(), t, c, 2 * f);
            backend.swiglu(s.hidden, s.gateUp, t, f);
            linear(proj, s.hidden, qw != null ? qw.down() : null, w.down(), t, f, c);
            backend.add(x, proj);
        }
        // only the last row's logits are needed: [V] = rmsnorm(x[t-1]) · headᵀ
        backend.rmsNorm(s.ln, s.rstd, x.slice((long) (t - 1) * c, c), param(layout.finalNorm(), c), 1, c, eps);
        linear(s.logits, s.ln, quantized != null ? quantized.head() : null, layout.head(), 1, c, config.vocab());
        backend.download(s.logits, logits, 0);
    }

    /** out[n, m] = inp[n, k] · Wᵀ, W the Q8_0 matrix when there is one, else the float parameters at {@code offset}. */
    private void linear(Tensor out, Tensor inp, QuantizedMatrix q8, long offset, int n, int k, int m) {
        if (q8 != null) {
            backend.matmul(out, inp, q8, n);
        } else {
            backend.matmul(out, inp, param(offset, (long) m * k), n, k, m);
        }
    }

    private Tensor param(long offset, long size) {
        return params.slice(offset, size);
    }

    private Scratch scratch(int rows) {
        if (scratch == null || scratch.rows < rows) {
            scratch = new Scratch(rows);
        }
        return scratch;
    }

    /** Activations of one forward over up to {@code rows} rows, in one storage; none is kept between calls. */
    private final class Scratch {
        final int rows;
        final Tensor x;
        final Tensor ln;
        final Tensor rstd;
        final Tensor qkv;
        final Tensor attn;
        final Tensor proj;
        final Tensor gateUp;
        final Tensor hidden;
        final Tensor logits;
        private final Storage storage;
        private long used;

        Scratch(int rows) {
            this.rows = rows;
            long n = rows;
            int c = config.dim();
            storage = backend.allocate(n * (4L * c + 1 + config.qkvDim() + 3L * config.ffn()) + config.vocab());
            x = take(n * c);
            ln = take(n * c);
            rstd = take(n);
            qkv = take(n * config.qkvDim());
            attn = take(n * c);
            proj = take(n * c);
            gateUp = take(2 * n * config.ffn());
            hidden = take(n * config.ffn());
            logits = take(config.vocab());
        }

        private Tensor take(long size) {
            var tensor = new Tensor(storage, used, size);
            used += size;
            return tensor;
        }
    }
}
