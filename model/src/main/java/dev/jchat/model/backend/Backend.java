package dev.jchat.model.backend;

import dev.jchat.model.gguf.Q8Blocks;

/**
 * The numerical work of the transformer, on tensors the backend owns. The model is written once against this
 * interface; the CPU backend runs it on float arrays with the Vector API, the reference backend in double
 * precision with plain loops (the yardstick of every kernel test and of the finite-difference checks), and a
 * CUDA backend can implement the same calls later.
 *
 * <p>Conventions: row-major; {@code n} rows of activations ({@code n = batch · seq}); weights as HF stores them,
 * {@code [out_features, in_features]}. Backward calls <em>write</em> the gradient of the activation they start from
 * (matmul's {@code dinp}, attention's {@code dqkv}, SwiGLU's {@code dgateUp}, cross-entropy's {@code dx}): each
 * begins a branch of the backward pass, so a zeroed buffer to add into would be a wasted pass over memory. They
 * <em>accumulate</em> ({@code +=}) where gradients meet: every parameter gradient (micro-batches add up, a tied
 * head shares the embedding's), the table rows of {@link #embeddingBackward}, and the {@code dinp} of
 * {@link #rmsNormBackward}, where a block's branch rejoins the residual stream. Callers zero those with
 * {@link #fill}.
 *
 * <p>Arguments are checked before any memory is touched ({@link Shapes}): a tensor view shorter than its shape needs,
 * a token or target id outside the vocabulary, or a tensor of another backend throws {@link IllegalArgumentException}
 * naming the argument (and, for ids, the row), and leaves every output unchanged. A view longer than the shape needs
 * is allowed, so buffers sized for the longest sequence serve shorter ones. A backend serves one calling thread at a
 * time; its kernels parallelise internally.
 */
public interface Backend extends AutoCloseable {

    String name();

    /** A zero-filled storage of {@code size} elements. */
    Storage allocate(long size);

    /** Copies {@code dst.size()} values from {@code src[srcOffset..]} into {@code dst}. */
    void upload(Tensor dst, float[] src, int srcOffset);

    /** Copies {@code src} into {@code dst[dstOffset..]}. */
    void download(Tensor src, float[] dst, int dstOffset);

    void fill(Tensor t, float value);

    /** {@code dst = src} (same size). */
    void copy(Tensor dst, Tensor src);

    /** {@code acc += x} (same size): the residual connection. */
    void add(Tensor acc, Tensor x);

    /** {@code out[i, :] = table[tokens[i], :]}; out [n, c], table [vocab, c] with vocab = table.size() / c. */
    void embedding(Tensor out, Tensor table, int[] tokens, int n, int c);

    /** {@code dtable[tokens[i], :] += dout[i, :]}. */
    void embeddingBackward(Tensor dtable, Tensor dout, int[] tokens, int n, int c);

    /** {@code out[i, :] = inp[i, :] · rstd[i] · weight}, {@code rstd[i] = 1 / sqrt(mean(inp[i, :]²) + eps)}, saved for backward. */
    void rmsNorm(Tensor out, Tensor rstd, Tensor inp, Tensor weight, int n, int c, float eps);

    /** {@code dinp += ∂L/∂inp}, {@code dweight += ∂L/∂weight}, from {@code dout} and the forward's {@code rstd}. */
    void rmsNormBackward(Tensor dinp, Tensor dweight, Tensor dout, Tensor inp, Tensor weight, Tensor rstd, int n, int c);

    /** {@code out[n, m] = inp[n, k] · weight[m, k]ᵀ} (overwrites out). */
    void matmul(Tensor out, Tensor inp, Tensor weight, int n, int k, int m);

    /**
     * A Q8_0 weight matrix on this backend holding exactly the values of {@code blocks} (scale · byte), for inference:
     * it has no gradient and training never uses it.
     */
    QuantizedMatrix upload(Q8Blocks blocks);

    /** The blocks of {@code matrix}, byte for byte as they were uploaded. */
    Q8Blocks download(QuantizedMatrix matrix);

    /**
     * {@code out[n, m] = inp[n, k] · weight[m, k]ᵀ} (overwrites out) with {@code m = weight.rows()},
     * {@code k = weight.cols()} and the weight's values {@code scale · byte} as ggml dequantises them; how the
     * products are formed (float weights against float activations, or activations quantised too) is the backend's
     * choice and documented there.
     */
    void matmul(Tensor out, Tensor inp, QuantizedMatrix weight, int n);

    /**
     * {@code dinp[n, k] = dout[n, m] · weight[m, k]} (skipped when {@code dinp} is null) and
     * {@code dweight[m, k] += dout[n, m]ᵀ · inp[n, k]}.
     */
    void matmulBackward(Tensor dinp, Tensor dweight, Tensor dout, Tensor inp, Tensor weight, int n, int k, int m);

    /**
     * Rotary embedding in place, HF {@code rotate_half} convention (dimension i pairs with i + headDim/2). {@code x} is
     * [b, t, rowStride]; the first {@code heads} heads of each row (of {@code headDim} each) are rotated by the angle of
     * position {@code pos0 + t}: {@code cos}, {@code sin} are [maxPositions, headDim/2]. {@code inverse} rotates back,
     * which is the backward pass (the rotation is orthogonal). {@code headDim} must be even and the tables must hold at
     * least {@code pos0 + t} positions.
     */
    void rope(Tensor x, Tensor cos, Tensor sin, int b, int t, int rowStride, int heads, int headDim, int pos0,
              boolean inverse);

    /**
     * Causal self-attention with grouped-query heads, scale {@code 1/sqrt(headDim)}. {@code qkv} is
     * [b, t, (heads + 2·kvHeads)·headDim]: each row holds the query heads, then the key heads, then the value heads
     * (the output of one fused projection). Query head h reads key/value head {@code h / (heads / kvHeads)}.
     * Writes {@code out} [b, t, heads·headDim] and the softmax's log-sum-exp {@code lse} [b, heads, t] for backward.
     */
    void attention(Tensor out, Tensor lse, Tensor qkv, int b, int t, int heads, int kvHeads, int headDim);

    /** {@code dqkv = ∂L/∂qkv} (same layout as qkv), from {@code dout} and the forward's {@code out} and {@code lse}. */
    void attentionBackward(Tensor dqkv, Tensor dout, Tensor qkv, Tensor out, Tensor lse, int b, int t, int heads,
                           int kvHeads, int headDim);

    /** Positions per tile of the key cache (see {@link #keyIndex}). */
    int KEY_TILE = 64;

    /**
     * Where a kv head's key cache of {@code capacity} positions holds dimension {@code d} of {@code position}: tiles
     * of {@link #KEY_TILE} positions one after another, each [headDim, tile width] (the last tile narrower when the
     * capacity is no multiple of the tile). Scores of a query against a tile's positions then read one contiguous run
     * of headDim · 64 floats, where a plain transposed [headDim, capacity] reads headDim short runs a capacity apart:
     * 2.2× slower from memory at 192 positions (1.7× at 512), and tiles of 16 positions were 1.3× slower than 64.
     */
    static int keyIndex(int position, int d, int capacity, int headDim) {
        int tileStart = position - position % KEY_TILE;
        return tileStart * headDim + d * Math.min(KEY_TILE, capacity - tileStart) + position % KEY_TILE;
    }

    /**
     * Attention of {@code t} new rows against a key/value cache, for inference: the rows sit at positions
     * {@code pos0 .. pos0 + t - 1} of one sequence, whose earlier keys and values the cache holds. {@code qkv} is
     * [t, (heads + 2·kvHeads)·headDim] as in {@link #attention}, queries and keys already rotated. Its key and value
     * heads are first written into the cache at those positions: {@code keys} [kvHeads, capacity·headDim], each head
     * transposed in tiles of {@link #KEY_TILE} positions, element (position, d) at {@link #keyIndex} (so that a
     * query's scores against many positions vectorise without horizontal sums, and read the cache sequentially), and
     * {@code values} [kvHeads, capacity, headDim]. Then row i attends causally to cache positions
     * {@code 0 .. pos0 + i}. Writes {@code out} [t, heads·headDim]. Only the kv heads are cached: query head h reads
     * kv head {@code h / (heads / kvHeads)}. Requires {@code pos0 + t <= capacity}.
     */
    void cachedAttention(Tensor out, Tensor qkv, Tensor keys, Tensor values, int t, int pos0, int capacity, int heads,
                         int kvHeads, int headDim);

    /** {@code out[i, j] = silu(gateUp[i, j]) · gateUp[i, f + j]}; gateUp [n, 2f] (gate then up), out [n, f]. */
    void swiglu(Tensor out, Tensor gateUp, int n, int f);

    /** {@code dgateUp = ∂L/∂gateUp}. */
    void swigluBackward(Tensor dgateUp, Tensor dout, Tensor gateUp, int n, int f);

    /**
     * The LM head, softmax and cross-entropy fused and computed a chunk of rows at a time, so no [n, vocab] logits
     * buffer exists. Returns the sum over rows with {@code targets[i] >= 0} of {@code -log softmax(x[i]·headᵀ)[targets[i]]}
     * (rows with a negative target are ignored: masked tokens). {@code rowLosses}, when not null, receives each row's
     * loss (0 for masked rows). When {@code dx} is not null, also {@code dx = gradScale · ∂sum/∂x} and
     * {@code dhead += gradScale · ∂sum/∂head} ({@code dhead} is then required; a tied head may pass the embedding's
     * gradient). x [n, c], head [vocab, c]; a target {@code >= vocab} throws.
     */
    double crossEntropy(Tensor dx, Tensor dhead, Tensor x, Tensor head, int[] targets, float[] rowLosses, int n, int c,
                        int vocab, float gradScale);

    /** Σ t², accumulated in double: gradient norms and the finiteness check. */
    double sumOfSquares(Tensor t);

    /** {@code t *= factor}. */
    void scale(Tensor t, float factor);

    /** {@code acc += factor · x} (same size). */
    void addScaled(Tensor acc, Tensor x, float factor);

    /**
     * Muon's orthogonalisation in place: {@code x} [rows, cols] becomes an approximation of {@code U·Vᵀ} of its SVD
     * (every singular value near 1), by {@code steps} iterations of the Newton–Schulz quintic
     * {@code X ← a·X + (b·A + c·A·A)·X}, {@code A = X·Xᵀ}, (a, b, c) = (3.4445, −4.7750, 2.0315), started from
     * {@code x / ‖x‖_F} and worked in the orientation with fewer rows.
     */
    void orthogonalize(Tensor x, int rows, int cols, int steps);

    /**
     * One AdamW step (decoupled weight decay, bias-corrected moments; {@code step} counts from 1):
     * {@code p -= lr·(m̂ / (sqrt(v̂) + eps) + weightDecay·p)}.
     */
    void adamw(Tensor params, Tensor grads, Tensor m, Tensor v, float lr, float beta1, float beta2, float eps,
               float weightDecay, int step);

    @Override
    void close();
}
