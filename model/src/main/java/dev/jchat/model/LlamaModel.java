package dev.jchat.model;

import dev.jchat.model.backend.Backend;
import dev.jchat.model.backend.Storage;
import dev.jchat.model.backend.Tensor;
import java.util.Random;

/**
 * A Llama-style decoder-only transformer with an explicit forward and backward pass, written like llm.c's
 * {@code train_gpt2.c}: parameters, gradients and activations are each one backend storage, every layer is a
 * sequence of kernel calls with the tensor shapes beside them, and the backward pass walks the same calls in
 * reverse. The backend does the arithmetic (CPU with the Vector API, a double-precision reference, CUDA later).
 *
 * <p>Per layer: {@code x → RMSNorm → fused q/k/v projection → RoPE → causal attention → o_proj → + x →
 * RMSNorm → fused gate/up projection → SwiGLU → down_proj → + residual}. Then a final RMSNorm and the LM head,
 * whose logits never materialise: the backend fuses head, softmax and cross-entropy.
 *
 * <p>Notation in comments: B batch, T sequence, N = B·T rows, C model width, H heads, KV key/value heads,
 * hd head size, Q = (H + 2·KV)·hd fused q/k/v width, F SwiGLU width, V vocabulary.
 */
public final class LlamaModel implements AutoCloseable {

    private final ModelConfig config;
    private final Backend backend;
    private final ParameterLayout layout;
    private final Storage parameters;
    private final Storage gradients;
    private final Tensor ropeCos;
    private final Tensor ropeSin;
    private Activations acts;

    /** A model with freshly initialised parameters (see {@link #initialise}) and zero gradients. */
    public LlamaModel(ModelConfig config, Backend backend, long seed) {
        this(config, backend);
        initialise(seed);
    }

    /** A model whose parameters are all zero, to be loaded from a checkpoint. */
    public LlamaModel(ModelConfig config, Backend backend) {
        this.config = config;
        this.backend = backend;
        this.layout = new ParameterLayout(config);
        this.parameters = backend.allocate(layout.size());
        this.gradients = backend.allocate(layout.size());
        int half = config.headDim() / 2;
        Storage rope = backend.allocate(2L * config.seqLen() * half);
        ropeCos = new Tensor(rope, 0, (long) config.seqLen() * half);
        ropeSin = new Tensor(rope, (long) config.seqLen() * half, (long) config.seqLen() * half);
        float[][] tables = ropeTables(config);
        backend.upload(ropeCos, tables[0], 0);
        backend.upload(ropeSin, tables[1], 0);
    }

    /**
     * HF's rotary tables, [seqLen, hd/2]: angle(pos, i) = pos · theta^(−2i/hd). Computed in double and rounded once,
     * as the PyTorch reference does, because float angles drift by ~1e-5 at position 256.
     */
    static float[][] ropeTables(ModelConfig config) {
        int half = config.headDim() / 2;
        float[] cos = new float[config.seqLen() * half];
        float[] sin = new float[config.seqLen() * half];
        for (int pos = 0; pos < config.seqLen(); pos++) {
            for (int i = 0; i < half; i++) {
                double angle = pos / Math.pow(config.ropeTheta(), 2.0 * i / config.headDim());
                cos[pos * half + i] = (float) Math.cos(angle);
                sin[pos * half + i] = (float) Math.sin(angle);
            }
        }
        return new float[][] {cos, sin};
    }

    /**
     * GPT-2's initialisation, which trains stably at depth: matrices and embeddings ~ N(0, 0.02), the two
     * projections that write into the residual stream (o_proj, down_proj) scaled by 1/sqrt(2·layers) so the
     * stream's variance does not grow with depth, norm weights 1. Deterministic for a seed.
     */
    public void initialise(long seed) {
        var random = new Random(seed);
        float[] values = new float[Math.toIntExact(layout.size())];
        double residualScale = 1 / Math.sqrt(2.0 * config.layers());
        for (ParameterLayout.Parameter p : layout.parameters()) {
            boolean residualWriter = p.name().endsWith("o_proj.weight") || p.name().endsWith("down_proj.weight");
            double std = 0.02 * (residualWriter ? residualScale : 1);
            for (long i = p.offset(); i < p.offset() + p.size(); i++) {
                values[(int) i] = p.group() == ParameterLayout.Group.NORM ? 1f : (float) (random.nextGaussian() * std);
            }
        }
        backend.upload(Tensor.of(parameters), values, 0);
    }

    public ModelConfig config() {
        return config;
    }

    public Backend backend() {
        return backend;
    }

    public ParameterLayout layout() {
        return layout;
    }

    /** All parameters as one tensor, in {@link #layout()} order. */
    public Tensor parameters() {
        return Tensor.of(parameters);
    }

    /** All gradients, same layout as the parameters. */
    public Tensor gradients() {
        return Tensor.of(gradients);
    }

    /** RoPE's cos table, [seqLen, hd/2], for the inference engine, which rotates with the same angles. */
    public Tensor ropeCos() {
        return ropeCos;
    }

    /** RoPE's sin table, [seqLen, hd/2]. */
    public Tensor ropeSin() {
        return ropeSin;
    }

    public Tensor parameter(ParameterLayout.Parameter p) {
        return new Tensor(parameters, p.offset(), p.size());
    }

    public Tensor gradient(ParameterLayout.Parameter p) {
        return new Tensor(gradients, p.offset(), p.size());
    }

    public void zeroGradients() {
        backend.fill(gradients(), 0);
    }

    /**
     * Forward and backward over one batch: returns the summed cross-entropy of the rows whose target is not
     * negative, and adds {@code gradScale ·} its gradient to {@link #gradients()} (so a mean over the batch, or over
     * gradient-accumulation steps, is {@code gradScale = 1 / counted tokens}).
     *
     * @param inputs  token ids, [B, T] row-major
     * @param targets next-token ids, [B, T]; negative = not counted
     */
    public double forwardBackward(int[] inputs, int[] targets, int b, int t, float gradScale) {
        Activations a = activations(b, t);
        forward(a, inputs, b, t);
        int n = b * t;
        int c = config.dim();
        // head + softmax + cross-entropy, fused: dlnf [N, C] is written, dhead [V, C] accumulates
        double loss = backend.crossEntropy(a.dln, grad(layout.head(), (long) config.vocab() * c), a.lnf, param(layout.head(),
                (long) config.vocab() * c), targets, null, n, c, config.vocab(), gradScale);
        backward(a, inputs, b, t);
        return loss;
    }

    /** Forward only: the summed cross-entropy of counted rows; {@code rowLosses} (may be null) gets each row's. */
    public double loss(int[] inputs, int[] targets, int b, int t, float[] rowLosses) {
        Activations a = activations(b, t);
        forward(a, inputs, b, t);
        int c = config.dim();
        return backend.crossEntropy(null, null, a.lnf, param(layout.head(), (long) config.vocab() * c), targets,
                rowLosses, b * t, c, config.vocab(), 0f);
    }

    /**
     * The next-token logits after {@code tokens[0..t)}, [V], by a full forward pass over the sequence (training-time
     * samples; the inference engine keeps a KV cache instead).
     */
    public float[] lastLogits(int[] tokens, int t) {
        Activations a = activations(1, t);
        forward(a, tokens, 1, t);
        int c = config.dim();
        Storage scratch = backend.allocate(config.vocab());
        Tensor logits = Tensor.of(scratch);
        backend.matmul(logits, a.lnf.slice((long) (t - 1) * c, c), param(layout.head(), (long) config.vocab() * c), 1, c,
                config.vocab());
        float[] out = new float[config.vocab()];
        backend.download(logits, out, 0);
        return out;
    }

    /**
     * The layer whose activations first stop being finite in the last forward pass ({@code "embedding"},
     * {@code "layer 3 attention"}, {@code "final norm"}...), or null when all are finite: names the culprit
     * when a loss turns NaN.
     */
    public String firstNonFiniteActivation() {
        Activations a = acts;
        if (a == null) {
            return null;
        }
        if (!finite(a.residual[0])) {
            return "embedding";
        }
        for (int l = 0; l < config.layers(); l++) {
            LayerActs la = a.layers[l];
            if (!finite(la.qkv)) {
                return "layer " + l + " attention input (q/k/v)";
            }
            if (!finite(la.attn) || !finite(la.residualMid)) {
                return "layer " + l + " attention";
            }
            if (!finite(la.gateUp) || !finite(la.swiglu) || !finite(a.residual[l + 1])) {
                return "layer " + l + " MLP";
            }
        }
        return finite(a.lnf) ? null : "final norm";
    }

    private boolean finite(Tensor t) {
        return Double.isFinite(backend.sumOfSquares(t));
    }

    private void forward(Activations a, int[] inputs, int b, int t) {
        int n = b * t;
        int c = config.dim();
        int f = config.ffn();
        int q = config.qkvDim();
        checkTokens(inputs, n);
        // x0 [N, C] = embedding[inputs]
        backend.embedding(a.residual[0], param(layout.embedding(), (long) config.vocab() * c), inputs, n, c);
        for (int l = 0; l < config.layers(); l++) {
            ParameterLayout.Layer w = layout.layer(l);
            LayerActs la = a.layers[l];
            Tensor x = a.residual[l];
            // ln1 [N, C] = rmsnorm(x) · w_ln1; rstd1 [N]
            backend.rmsNorm(la.ln1, la.rstd1, x, param(w.inputNorm(), c), n, c, (float) config.normEps());
            // qkv [N, Q] = ln1 [N, C] · w_qkv [Q, C]ᵀ; then RoPE on the H query and KV key heads
            backend.matmul(la.qkv, la.ln1, param(w.qkv(), (long) q * c), n, c, q);
            backend.rope(la.qkv, ropeCos, ropeSin, b, t, q, config.heads() + config.kvHeads(), config.headDim(), 0, false);
            // attn [N, C] = softmax(q·kᵀ/sqrt(hd), causal) · v; lse [B, H, T]
            backend.attention(la.attn, la.lse, la.qkv, b, t, config.heads(), config.kvHeads(), config.headDim());
            // xmid [N, C] = x + attn · w_o [C, C]ᵀ
            backend.matmul(la.residualMid, la.attn, param(w.attnOut(), (long) c * c), n, c, c);
            backend.add(la.residualMid, x);
            // ln2 [N, C] = rmsnorm(xmid) · w_ln2
            backend.rmsNorm(la.ln2, la.rstd2, la.residualMid, param(w.postNorm(), c), n, c, (float) config.normEps());
            // gateUp [N, 2F] = ln2 · w_gu [2F, C]ᵀ; h [N, F] = silu(gate) · up
            backend.matmul(la.gateUp, la.ln2, param(w.gateUp(), 2L * f * c), n, c, 2 * f);
            backend.swiglu(la.swiglu, la.gateUp, n, f);
            // x_{l+1} [N, C] = xmid + h · w_down [C, F]ᵀ
            Tensor next = a.residual[l + 1];
            backend.matmul(next, la.swiglu, param(w.down(), (long) c * f), n, f, c);
            backend.add(next, la.residualMid);
        }
        // lnf [N, C] = rmsnorm(x_L) · w_norm
        backend.rmsNorm(a.lnf, a.rstdf, a.residual[config.layers()], param(layout.finalNorm(), c), n, c,
                (float) config.normEps());
    }

    /** Expects {@code a.dln} to hold ∂L/∂lnf; adds every parameter's gradient. */
    private void backward(Activations a, int[] inputs, int b, int t) {
        int n = b * t;
        int c = config.dim();
        int f = config.ffn();
        int q = config.qkvDim();
        // dres [N, C]: the gradient of the residual stream, flowing down through the layers
        backend.fill(a.dres, 0);
        backend.rmsNormBackward(a.dres, grad(layout.finalNorm(), c), a.dln, a.residual[config.layers()],
                param(layout.finalNorm(), c), a.rstdf, n, c);
        for (int l = config.layers() - 1; l >= 0; l--) {
            ParameterLayout.Layer w = layout.layer(l);
            LayerActs la = a.layers[l];
            // x_{l+1} = xmid + h · w_downᵀ: dres passes to xmid unchanged; dh [N, F], dw_down [C, F]
            backend.matmulBackward(a.dswiglu, grad(w.down(), (long) c * f), a.dres, la.swiglu, param(w.down(), (long) c * f),
                    n, f, c);
            // dgateUp [N, 2F]
            backend.swigluBackward(a.dgateUp, a.dswiglu, la.gateUp, n, f);
            // dln2 [N, C], dw_gu [2F, C]
            backend.matmulBackward(a.dln, grad(w.gateUp(), 2L * f * c), a.dgateUp, la.ln2, param(w.gateUp(), 2L * f * c),
                    n, c, 2 * f);
            // dres += ∂ln2/∂xmid: dres is now the whole gradient of xmid
            backend.rmsNormBackward(a.dres, grad(w.postNorm(), c), a.dln, la.residualMid, param(w.postNorm(), c), la.rstd2,
                    n, c);
            // xmid = x + attn · w_oᵀ: dattn [N, C], dw_o [C, C]
            backend.matmulBackward(a.dattn, grad(w.attnOut(), (long) c * c), a.dres, la.attn, param(w.attnOut(), (long) c * c),
                    n, c, c);
            // dqkv [N, Q] (after RoPE), then rotated back: the gradient before RoPE
            backend.attentionBackward(a.dqkv, a.dattn, la.qkv, la.attn, la.lse, b, t, config.heads(), config.kvHeads(),
                    config.headDim());
            backend.rope(a.dqkv, ropeCos, ropeSin, b, t, q, config.heads() + config.kvHeads(), config.headDim(), 0, true);
            // dln1 [N, C], dw_qkv [Q, C]
            backend.matmulBackward(a.dln, grad(w.qkv(), (long) q * c), a.dqkv, la.ln1, param(w.qkv(), (long) q * c), n, c, q);
            // dres += ∂ln1/∂x: dres is now the gradient of x_l
            backend.rmsNormBackward(a.dres, grad(w.inputNorm(), c), a.dln, a.residual[l], param(w.inputNorm(), c), la.rstd1,
                    n, c);
        }
        backend.embeddingBackward(grad(layout.embedding(), (long) config.vocab() * config.dim()), a.dres, inputs, n, c);
    }

    private void checkTokens(int[] tokens, int n) {
        if (tokens.length < n) {
            throw new IllegalArgumentException("expected " + n + " token ids, got " + tokens.length);
        }
        for (int i = 0; i < n; i++) {
            if (tokens[i] < 0 || tokens[i] >= config.vocab()) {
                throw new IllegalArgumentException("token id " + tokens[i] + " at position " + i + " is outside the "
                        + "vocabulary of " + config.vocab());
            }
        }
    }

    private Tensor param(long offset, long size) {
        return new Tensor(parameters, offset, size);
    }

    private Tensor grad(long offset, long size) {
        return new Tensor(gradients, offset, size);
    }

    private Activations activations(int b, int t) {
        if (t > config.seqLen()) {
            throw new IllegalArgumentException("sequence of " + t + " tokens is longer than the model's context of "
                    + config.seqLen());
        }
        if (acts == null || acts.b != b || acts.t != t) {
            acts = new Activations(b, t);
        }
        return acts;
    }

    /** Bytes of activation memory a batch of [b, t] needs (the forward's saved tensors plus backward scratch). */
    public static long activationBytes(ModelConfig config, int b, int t) {
        long n = (long) b * t;
        long c = config.dim();
        long perLayer = n * (c /*ln1*/ + config.qkvDim() + c /*attn*/ + c /*xmid*/ + c /*ln2*/ + 3L * config.ffn() + 2)
                + (long) b * config.heads() * t;
        long scratch = n * (3 * c + config.qkvDim() + 3L * config.ffn());
        return 4 * (config.layers() * perLayer + (config.layers() + 1) * n * c + n * (c + 1) + scratch);
    }

    /** Saved tensors of one layer's forward, needed by its backward. */
    private record LayerActs(Tensor ln1, Tensor rstd1, Tensor qkv, Tensor attn, Tensor lse, Tensor residualMid,
                             Tensor ln2, Tensor rstd2, Tensor gateUp, Tensor swiglu) {}

    /** Every activation for a [b, t] batch, carved out of one storage. */
    private final class Activations {
        final int b;
        final int t;
        final Tensor[] residual;
        final LayerActs[] layers;
        final Tensor lnf;
        final Tensor rstdf;
        final Tensor dres;
        final Tensor dln;
        final Tensor dattn;
        final Tensor dqkv;
        final Tensor dgateUp;
        final Tensor dswiglu;
        private final Storage storage;
        private long used;

        Activations(int b, int t) {
            this.b = b;
            this.t = t;
            long n = (long) b * t;
            int c = config.dim();
            int f = config.ffn();
            storage = backend.allocate(activationBytes(config, b, t) / 4);
            residual = new Tensor[config.layers() + 1];
            for (int l = 0; l <= config.layers(); l++) {
                residual[l] = take(n * c);
            }
            layers = new LayerActs[config.layers()];
            for (int l = 0; l < config.layers(); l++) {
                layers[l] = new LayerActs(take(n * c), take(n), take(n * config.qkvDim()), take(n * c),
                        take((long) b * config.heads() * t), take(n * c), take(n * c), take(n), take(2 * n * f), take(n * f));
            }
            lnf = take(n * c);
            rstdf = take(n);
            dres = take(n * c);
            dln = take(n * c);
            dattn = take(n * c);
            dqkv = take(n * config.qkvDim());
            dgateUp = take(2 * n * f);
            dswiglu = take(n * f);
        }

        private Tensor take(long size) {
            var tensor = new Tensor(storage, used, size);
            used += size;
            return tensor;
        }
    }

    @Override
    public void close() {
        acts = null;
    }
}
