package dev.jchat.model.cpu;

import dev.jchat.model.backend.Backend;
import dev.jchat.model.backend.QuantizedMatrix;
import dev.jchat.model.backend.Shapes;
import dev.jchat.model.backend.Storage;
import dev.jchat.model.backend.Tensor;
import dev.jchat.model.gguf.Q8Blocks;

/**
 * The CPU backend: float arrays, {@code jdk.incubator.vector} kernels, work split over one {@link Parallel} pool that
 * this backend owns. Scratch buffers (attention tiles, cross-entropy logits, norm partials) live in the kernels and
 * are reused, so a training step allocates next to nothing. One backend serves one caller thread at a time.
 */
public final class CpuBackend implements Backend {

    /** The memory of a CPU tensor. */
    private record FloatStorage(float[] data) implements Storage {
        @Override
        public long size() {
            return data.length;
        }
    }

    private final Parallel pool;
    private final RmsNorm rmsNorm;
    private final Attention attention;
    private final CachedAttention cachedAttention;
    private final CrossEntropy crossEntropy;
    private final NewtonSchulz newtonSchulz;
    private final Q8Matmul q8Matmul;
    private double[] sumPartials = new double[0];

    /** A backend with one kernel thread per available processor. */
    public CpuBackend() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /** A backend whose kernels use {@code threads} threads, the caller's included. */
    public CpuBackend(int threads) {
        pool = new Parallel(threads);
        rmsNorm = new RmsNorm(pool);
        attention = new Attention(pool);
        cachedAttention = new CachedAttention(pool, attention);
        crossEntropy = new CrossEntropy(pool);
        newtonSchulz = new NewtonSchulz(pool);
        q8Matmul = new Q8Matmul(pool);
    }

    public int threads() {
        return pool.threads();
    }

    @Override
    public String name() {
        return "cpu (" + pool.threads() + " threads, " + Vectors.F.vectorBitSize() + "-bit vectors)";
    }

    @Override
    public Storage allocate(long size) {
        if (size < 0 || size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("cannot allocate " + size + " elements in one Java array");
        }
        return new FloatStorage(new float[(int) size]);
    }

    @Override
    public void upload(Tensor dst, float[] src, int srcOffset) {
        System.arraycopy(src, srcOffset, data(dst), off(dst), (int) dst.size());
    }

    @Override
    public void download(Tensor src, float[] dst, int dstOffset) {
        System.arraycopy(data(src), off(src), dst, dstOffset, (int) src.size());
    }

    @Override
    public void fill(Tensor t, float value) {
        Vectors.fill(pool, data(t), off(t), (int) t.size(), value);
    }

    @Override
    public void copy(Tensor dst, Tensor src) {
        Shapes.sameSize(dst, src, "copy");
        Vectors.copy(pool, data(dst), off(dst), data(src), off(src), (int) src.size());
    }

    @Override
    public void add(Tensor acc, Tensor x) {
        Shapes.sameSize(acc, x, "add");
        Vectors.add(pool, data(acc), off(acc), data(x), off(x), (int) acc.size());
    }

    @Override
    public void embedding(Tensor out, Tensor table, int[] tokens, int n, int c) {
        Shapes.embedding(out, table, tokens, n, c);
        Embedding.forward(pool, data(out), off(out), data(table), off(table), tokens, n, c);
    }

    @Override
    public void embeddingBackward(Tensor dtable, Tensor dout, int[] tokens, int n, int c) {
        Shapes.embedding(dout, dtable, tokens, n, c);
        Embedding.backward(pool, data(dtable), off(dtable), data(dout), off(dout), tokens, n, c);
    }

    @Override
    public void rmsNorm(Tensor out, Tensor rstd, Tensor inp, Tensor weight, int n, int c, float eps) {
        Shapes.rmsNorm(out, rstd, inp, weight, n, c);
        rmsNorm.forward(data(out), off(out), data(rstd), off(rstd), data(inp), off(inp), data(weight), off(weight), n,
                c, eps);
    }

    @Override
    public void rmsNormBackward(Tensor dinp, Tensor dweight, Tensor dout, Tensor inp, Tensor weight, Tensor rstd,
                                int n, int c) {
        Shapes.rmsNorm(dinp, rstd, inp, weight, n, c);
        Shapes.holds(dout, (long) n * c, "dout");
        Shapes.holds(dweight, c, "dweight");
        rmsNorm.backward(data(dinp), off(dinp), data(dweight), off(dweight), data(dout), off(dout), data(inp), off(inp),
                data(weight), off(weight), data(rstd), off(rstd), n, c);
    }

    @Override
    public void matmul(Tensor out, Tensor inp, Tensor weight, int n, int k, int m) {
        Shapes.matmul(out, inp, weight, n, k, m);
        Matmul.forward(pool, data(out), off(out), data(inp), off(inp), data(weight), off(weight), n, k, m);
    }

    @Override
    public QuantizedMatrix upload(Q8Blocks blocks) {
        return Q8Matmul.of(blocks);
    }

    @Override
    public Q8Blocks download(QuantizedMatrix matrix) {
        return Q8Matmul.blocks(q8(matrix));
    }

    @Override
    public void matmul(Tensor out, Tensor inp, QuantizedMatrix weight, int n) {
        Shapes.matmul(out, inp, weight, n);
        q8Matmul.forward(data(out), off(out), data(inp), off(inp), q8(weight), n);
    }

    @Override
    public void matmulBackward(Tensor dinp, Tensor dweight, Tensor dout, Tensor inp, Tensor weight, int n, int k,
                               int m) {
        Shapes.matmul(dout, inp, weight, n, k, m);
        Shapes.holds(dweight, (long) m * k, "dweight");
        if (dinp != null) {
            Shapes.holds(dinp, (long) n * k, "dinp");
            Matmul.backwardInput(pool, data(dinp), off(dinp), data(dout), off(dout), data(weight), off(weight), n, k,
                    m);
        }
        Matmul.backwardWeight(pool, data(dweight), off(dweight), data(dout), off(dout), data(inp), off(inp), n, k, m);
    }

    @Override
    public void rope(Tensor x, Tensor cos, Tensor sin, int b, int t, int rowStride, int heads, int headDim, int pos0,
                     boolean inverse) {
        Shapes.rope(x, cos, sin, b, t, rowStride, heads, headDim, pos0);
        Rope.apply(pool, data(x), off(x), data(cos), off(cos), data(sin), off(sin), b, t, rowStride, heads, headDim,
                pos0, inverse);
    }

    @Override
    public void attention(Tensor out, Tensor lse, Tensor qkv, int b, int t, int heads, int kvHeads, int headDim) {
        Shapes.attention(out, lse, qkv, b, t, heads, kvHeads, headDim);
        attention.forward(data(out), off(out), data(lse), off(lse), data(qkv), off(qkv), b, t, heads, kvHeads, headDim);
    }

    @Override
    public void attentionBackward(Tensor dqkv, Tensor dout, Tensor qkv, Tensor out, Tensor lse, int b, int t,
                                  int heads, int kvHeads, int headDim) {
        Shapes.attention(out, lse, qkv, b, t, heads, kvHeads, headDim);
        Shapes.holds(dout, (long) b * t * heads * headDim, "dout");
        Shapes.holds(dqkv, (long) b * t * (heads + 2L * kvHeads) * headDim, "dqkv");
        attention.backward(data(dqkv), off(dqkv), data(dout), off(dout), data(qkv), off(qkv), data(out), off(out),
                data(lse), off(lse), b, t, heads, kvHeads, headDim);
    }

    @Override
    public void cachedAttention(Tensor out, Tensor qkv, Tensor keys, Tensor values, int t, int pos0, int capacity,
                                int heads, int kvHeads, int headDim) {
        Shapes.cachedAttention(out, qkv, keys, values, t, pos0, capacity, heads, kvHeads, headDim);
        cachedAttention.forward(data(out), off(out), data(qkv), off(qkv), data(keys), off(keys), data(values),
                off(values), t, pos0, capacity, heads, kvHeads, headDim);
    }

    @Override
    public void swiglu(Tensor out, Tensor gateUp, int n, int f) {
        Shapes.swiglu(out, gateUp, n, f);
        SwiGlu.forward(pool, data(out), off(out), data(gateUp), off(gateUp), n, f);
    }

    @Override
    public void swigluBackward(Tensor dgateUp, Tensor dout, Tensor gateUp, int n, int f) {
        Shapes.swiglu(dout, gateUp, n, f);
        Shapes.holds(dgateUp, 2L * n * f, "dgateUp");
        SwiGlu.backward(pool, data(dgateUp), off(dgateUp), data(dout), off(dout), data(gateUp), off(gateUp), n, f);
    }

    @Override
    public double crossEntropy(Tensor dx, Tensor dhead, Tensor x, Tensor head, int[] targets, float[] rowLosses,
                               int n, int c, int vocab, float gradScale) {
        Shapes.crossEntropy(dx, dhead, x, head, targets, rowLosses, n, c, vocab);
        boolean backward = dx != null;
        return crossEntropy.run(backward ? data(dx) : null, backward ? off(dx) : 0, backward ? data(dhead) : null,
                backward ? off(dhead) : 0, data(x), off(x), data(head), off(head), targets, rowLosses, n, c, vocab,
                gradScale);
    }

    @Override
    public double sumOfSquares(Tensor t) {
        int n = (int) t.size();
        if (sumPartials.length < Vectors.sumOfSquaresPartials(n)) {
            sumPartials = new double[Vectors.sumOfSquaresPartials(n)];
        }
        return Vectors.sumOfSquares(pool, data(t), off(t), n, sumPartials);
    }

    @Override
    public void scale(Tensor t, float factor) {
        Vectors.scale(pool, data(t), off(t), (int) t.size(), factor);
    }

    @Override
    public void addScaled(Tensor acc, Tensor x, float factor) {
        Shapes.sameSize(acc, x, "addScaled");
        Vectors.addScaled(pool, data(acc), off(acc), data(x), off(x), (int) acc.size(), factor);
    }

    @Override
    public void orthogonalize(Tensor x, int rows, int cols, int steps) {
        Shapes.orthogonalize(x, rows, cols, steps);
        newtonSchulz.orthogonalize(data(x), off(x), rows, cols, steps);
    }

    @Override
    public void adamw(Tensor params, Tensor grads, Tensor m, Tensor v, float lr, float beta1, float beta2, float eps,
                      float weightDecay, int step) {
        Shapes.adamw(params, grads, m, v, step);
        AdamW.step(pool, data(params), off(params), data(grads), off(grads), data(m), off(m), data(v), off(v),
                (int) params.size(), lr, beta1, beta2, eps, weightDecay, step);
    }

    @Override
    public void close() {
        pool.close();
    }

    private static float[] data(Tensor t) {
        if (!(t.storage() instanceof FloatStorage s)) {
            throw new IllegalArgumentException("a " + t.storage().getClass().getSimpleName()
                    + " tensor passed to the CPU backend");
        }
        return s.data;
    }

    private static Q8Matmul.Matrix q8(QuantizedMatrix matrix) {
        if (!(matrix instanceof Q8Matmul.Matrix m)) {
            throw new IllegalArgumentException("a " + matrix.getClass().getSimpleName()
                    + " matrix passed to the CPU backend");
        }
        return m;
    }

    private static int off(Tensor t) {
        return (int) t.offset();
    }
}
