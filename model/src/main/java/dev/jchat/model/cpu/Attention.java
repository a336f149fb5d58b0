package dev.jchat.model.cpu;

import static dev.jchat.model.cpu.Vectors.F;
import static dev.jchat.model.cpu.Vectors.LANES;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.incubator.vector.FloatVector;

/**
 * Causal grouped-query self-attention, flash-attention style: no [t, t] score matrix exists. Each query row walks its
 * keys in tiles of {@link #TILE} with an online softmax (running max m and sum l, the accumulator rescaled by
 * e^(m_old − m_new) when the max grows), so scratch memory is O(t·headDim) per thread, not O(t²) per head. The
 * forward saves the log-sum-exp per row; the backward recomputes each probability from it and uses FlashAttention-2's
 * D_i = Σ dout_i∘out_i = Σ_j p_ij·dp_ij in the softmax gradient.
 *
 * <p>Layout: qkv [b, t, (heads + 2·kvHeads)·headDim], each row the query heads, then the key heads, then the value
 * heads; out [b, t, heads·headDim]; lse [b, heads, t]. Query head h reads kv head h / (heads / kvHeads).
 *
 * <p>Scores are vectorised across keys, not across the head dimension, which needs no horizontal sums: each task first
 * transposes its key (and, in the backward, value) head into kT [headDim, tp] (tp = t rounded up to the vector
 * length, padding zeroed), so that the scores of LANES consecutive keys are one FMA chain over d. Work is handed out
 * dynamically, one (batch, head) pair at a time in the forward and one (batch, kv head) pair in the backward, where the
 * pair owns its key and value gradients outright (all query heads of a group add into them) and so needs no locks.
 */
final class Attention {

    /** Keys per tile: four vectors, so the score kernel keeps four accumulators in flight. */
    static final int TILE = 4 * LANES;

    private final Parallel pool;
    private final Scratch[] scratch;
    private final AtomicInteger next = new AtomicInteger();

    /** One thread's buffers, grown on demand and reused across calls. */
    private static final class Scratch {
        float[] kT = new float[0];
        float[] vT = new float[0];
        float[] dk = new float[0];
        float[] dv = new float[0];
        float[] acc = new float[0];
        final float[] s = new float[TILE];
        final float[] dp = new float[TILE];
        final float[] lanes = new float[LANES];

        void ensure(int t, int tp, int headDim, boolean backward) {
            if (kT.length < headDim * tp) {
                kT = new float[headDim * tp];
            }
            if (backward && vT.length < headDim * tp) {
                vT = new float[headDim * tp];
            }
            if (backward && dk.length < t * headDim) {
                dk = new float[t * headDim];
                dv = new float[t * headDim];
            }
            if (acc.length < headDim) {
                acc = new float[headDim];
            }
        }
    }

    @FunctionalInterface
    private interface Task {
        void run(Scratch scratch, int task);
    }

    Attention(Parallel pool) {
        this.pool = pool;
        scratch = new Scratch[pool.threads()];
        for (int i = 0; i < scratch.length; i++) {
            scratch[i] = new Scratch();
        }
    }

    void forward(float[] out, int outOff, float[] lse, int lseOff, float[] qkv, int qkvOff, int b, int t, int heads,
                 int kvHeads, int headDim) {
        int rowStride = (heads + 2 * kvHeads) * headDim;
        int tp = roundUp(t);
        float scale = (float) (1 / Math.sqrt(headDim));
        for (Scratch s : scratch) {
            s.ensure(t, tp, headDim, false);
        }
        forEachTask(b * heads, (sc, task) -> {
            int bi = task / heads;
            int h = task % heads;
            int kh = h / (heads / kvHeads);
            int base = qkvOff + bi * t * rowStride;
            int vCol = (heads + kvHeads + kh) * headDim;
            transpose(qkv, base + (heads + kh) * headDim, rowStride, t, headDim, sc.kT, tp);
            float[] acc = sc.acc;
            float[] p = sc.s;
            for (int i = 0; i < t; i++) {
                int q = base + i * rowStride + h * headDim;
                float m = Float.NEGATIVE_INFINITY;
                float l = 0;
                Arrays.fill(acc, 0, headDim, 0f);
                for (int j0 = 0; j0 <= i; j0 += TILE) {
                    int len = Math.min(TILE, i + 1 - j0);
                    int vectors = scores(p, qkv, q, sc.kT, tp, j0, len, headDim, scale);
                    float tileMax = Float.NEGATIVE_INFINITY;
                    for (int j = 0; j < len; j++) {
                        tileMax = Math.max(tileMax, p[j]);
                    }
                    float mNew = Math.max(m, tileMax);
                    float alpha = Vectors.exp(m - mNew);
                    if (alpha != 1f) {
                        Vectors.scaleRow(acc, 0, headDim, alpha);
                    }
                    // p_j = e^(s_j − m_new); the padding lanes hold −inf and give 0
                    FloatVector sum = FloatVector.zero(F);
                    for (int v = 0; v < vectors; v++) {
                        FloatVector e = Vectors.exp(FloatVector.fromArray(F, p, v * LANES).sub(mNew));
                        e.intoArray(p, v * LANES);
                        sum = sum.add(e);
                    }
                    l = l * alpha + Vectors.sum(sum, sc.lanes);
                    m = mNew;
                    // acc += Σ_j p_j·v_j
                    for (int j = 0; j < len; j++) {
                        Vectors.axpy(p[j], qkv, base + (j0 + j) * rowStride + vCol, acc, 0, headDim);
                    }
                }
                int o = outOff + (bi * t + i) * heads * headDim + h * headDim;
                float inv = 1f / l;
                for (int d = 0; d < headDim; d++) {
                    out[o + d] = acc[d] * inv;
                }
                lse[lseOff + (bi * heads + h) * t + i] = (float) (m + Math.log(l));
            }
        });
    }

    void backward(float[] dqkv, int dqkvOff, float[] dout, int doutOff, float[] qkv, int qkvOff, float[] out,
                  int outOff, float[] lse, int lseOff, int b, int t, int heads, int kvHeads, int headDim) {
        int rowStride = (heads + 2 * kvHeads) * headDim;
        int group = heads / kvHeads;
        int tp = roundUp(t);
        float scale = (float) (1 / Math.sqrt(headDim));
        for (Scratch s : scratch) {
            s.ensure(t, tp, headDim, true);
        }
        forEachTask(b * kvHeads, (sc, task) -> {
            int bi = task / kvHeads;
            int kh = task % kvHeads;
            int base = qkvOff + bi * t * rowStride;
            int kCol = (heads + kh) * headDim;
            int vCol = (heads + kvHeads + kh) * headDim;
            transpose(qkv, base + kCol, rowStride, t, headDim, sc.kT, tp);
            transpose(qkv, base + vCol, rowStride, t, headDim, sc.vT, tp);
            float[] dk = sc.dk;
            float[] dv = sc.dv;
            float[] dq = sc.acc;
            float[] p = sc.s;
            float[] ds = sc.dp;
            Arrays.fill(dk, 0, t * headDim, 0f);
            Arrays.fill(dv, 0, t * headDim, 0f);
            for (int h = kh * group; h < (kh + 1) * group; h++) {
                for (int i = 0; i < t; i++) {
                    int q = base + i * rowStride + h * headDim;
                    int yRow = (bi * t + i) * heads * headDim + h * headDim;
                    float logSum = lse[lseOff + (bi * heads + h) * t + i];
                    float dSum = Vectors.dot(dout, doutOff + yRow, out, outOff + yRow, headDim, sc.lanes);
                    Arrays.fill(dq, 0, headDim, 0f);
                    for (int j0 = 0; j0 <= i; j0 += TILE) {
                        int len = Math.min(TILE, i + 1 - j0);
                        int vectors = scores(p, qkv, q, sc.kT, tp, j0, len, headDim, scale);
                        scores(ds, dout, doutOff + yRow, sc.vT, tp, j0, len, headDim, 1f);
                        // p_j = e^(s_j − lse_i); ∂L/∂(q·k_j) = p_j·(dp_j − D_i)·scale
                        for (int v = 0; v < vectors; v++) {
                            FloatVector pv = Vectors.exp(FloatVector.fromArray(F, p, v * LANES).sub(logSum));
                            pv.intoArray(p, v * LANES);
                            pv.mul(FloatVector.fromArray(F, ds, v * LANES).sub(dSum)).mul(scale)
                                    .intoArray(ds, v * LANES);
                        }
                        for (int j = 0; j < len; j++) {
                            int key = j0 + j;
                            Vectors.axpy(ds[j], qkv, base + key * rowStride + kCol, dq, 0, headDim);
                            Vectors.axpy(ds[j], qkv, q, dk, key * headDim, headDim);
                            Vectors.axpy(p[j], dout, doutOff + yRow, dv, key * headDim, headDim);
                        }
                    }
                    Vectors.axpy(1f, dq, 0, dqkv, dqkvOff + (q - qkvOff), headDim);
                }
            }
            for (int j = 0; j < t; j++) {
                int row = dqkvOff + (base - qkvOff) + j * rowStride;
                Vectors.axpy(1f, dk, j * headDim, dqkv, row + kCol, headDim);
                Vectors.axpy(1f, dv, j * headDim, dqkv, row + vCol, headDim);
            }
        });
    }

    /**
     * s[j] = scale·Σ_d x[xOff + d]·kT[d, j0 + j] for j in [0, len), computed for whole vectors of keys (the padding
     * of kT keeps the last one in bounds); the lanes past len are set to −inf. Returns the number of vectors.
     */
    private static int scores(float[] s, float[] x, int xOff, float[] kT, int tp, int j0, int len, int headDim,
                              float scale) {
        int vectors = (len + LANES - 1) / LANES;
        int v = 0;
        if (vectors == 4) {
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            for (int d = 0; d < headDim; d++) {
                FloatVector xd = FloatVector.broadcast(F, x[xOff + d]);
                int row = d * tp + j0;
                a0 = xd.fma(FloatVector.fromArray(F, kT, row), a0);
                a1 = xd.fma(FloatVector.fromArray(F, kT, row + LANES), a1);
                a2 = xd.fma(FloatVector.fromArray(F, kT, row + 2 * LANES), a2);
                a3 = xd.fma(FloatVector.fromArray(F, kT, row + 3 * LANES), a3);
            }
            a0.mul(scale).intoArray(s, 0);
            a1.mul(scale).intoArray(s, LANES);
            a2.mul(scale).intoArray(s, 2 * LANES);
            a3.mul(scale).intoArray(s, 3 * LANES);
            v = 4;
        }
        for (; v < vectors; v++) {
            FloatVector a = FloatVector.zero(F);
            for (int d = 0; d < headDim; d++) {
                a = FloatVector.broadcast(F, x[xOff + d]).fma(FloatVector.fromArray(F, kT, d * tp + j0 + v * LANES), a);
            }
            a.mul(scale).intoArray(s, v * LANES);
        }
        Arrays.fill(s, len, vectors * LANES, Float.NEGATIVE_INFINITY);
        return vectors;
    }

    /** dst[d, j] = src[srcOff + j·rowStride + d] for j < t; columns t..tp−1 zeroed. dst is [headDim, tp]. */
    private static void transpose(float[] src, int srcOff, int rowStride, int t, int headDim, float[] dst, int tp) {
        for (int j = 0; j < t; j++) {
            int row = srcOff + j * rowStride;
            for (int d = 0; d < headDim; d++) {
                dst[d * tp + j] = src[row + d];
            }
        }
        for (int d = 0; d < headDim; d++) {
            Arrays.fill(dst, d * tp + t, (d + 1) * tp, 0f);
        }
    }

    /**
     * Runs task(i) for i in [0, count), handed out one at a time to the pool's threads, each with its own scratch.
     * Parallel.forRange over [0, workers) gives every thread exactly one worker index.
     */
    private void forEachTask(int count, Task body) {
        next.set(0);
        int workers = Math.min(scratch.length, count);
        pool.forRange(workers, (start, end) -> {
            for (int w = start; w < end; w++) {
                for (int task = next.getAndIncrement(); task < count; task = next.getAndIncrement()) {
                    body.run(scratch[w], task);
                }
            }
        });
    }

    private static int roundUp(int t) {
        return (t + LANES - 1) / LANES * LANES;
    }
}
