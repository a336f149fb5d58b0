package dev.jchat.model.cpu;

import static dev.jchat.model.cpu.Vectors.F;
import static dev.jchat.model.cpu.Vectors.LANES;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

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
 * <p>Scores are vectorised across keys, not across the head dimension, so they need no horizontal sums: each task
 * first transposes its key (and, in the backward, value) head into kT [headDim, tp] (tp: t rounded up to whole tiles,
 * plus one vector; padding zeroed). All products are small matrix products on one tile, {@link #scoreRows} (q·kᵀ) and
 * {@link #accumulateRows} (p·v and the gradients), computed two output rows at a time so that each loaded vector feeds
 * two FMAs and eight FMA chains are in flight. Both passes take {@link #BLOCK} query rows at a time: a tile of keys and
 * values is reused from L1 by the whole block, and in the backward each key's dk and dv rows are summed over the block
 * in registers rather than updated once per query row.
 *
 * <p>Work is handed out dynamically: one (batch, head) pair at a time in the forward, one (batch, kv head) pair in the
 * backward, where the pair owns its key and value gradients outright (every query head of the group adds into them)
 * and so needs no locks. The order of every sum is fixed, so results do not depend on scheduling.
 */
final class Attention {

    /** Keys per tile: four vectors. */
    private static final int TILE = 4 * LANES;
    /**
     * Query rows walking the key tiles together. It divides TILE (a float vector has at least 4 lanes), so a block
     * never straddles a tile boundary and every row of a block sees at least one key of every tile it visits.
     */
    private static final int BLOCK = 16;

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
        /** [BLOCK, TILE] probabilities and score gradients of the current rows and tile. */
        final float[] p = new float[BLOCK * TILE];
        final float[] ds = new float[BLOCK * TILE];
        /** D_r = Σ dout_r∘out_r of the backward's BLOCK rows. */
        final float[] dSum = new float[BLOCK];
        /** Online-softmax state of the forward's BLOCK rows: running max, and running sum as LANES partial sums. */
        final float[] m = new float[BLOCK];
        final float[] l = new float[BLOCK * LANES];
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
            if (acc.length < BLOCK * headDim) {
                acc = new float[BLOCK * headDim];
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
        int tp = paddedLength(t);
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
            float[] p = sc.p;
            float[] m = sc.m;
            float[] l = sc.l;
            // BLOCK query rows walk the key tiles together, so a tile of kT and of V is reused from L1 by all of them
            for (int i0 = 0; i0 < t; i0 += BLOCK) {
                int rows = Math.min(BLOCK, t - i0);
                Arrays.fill(m, 0, rows, Float.NEGATIVE_INFINITY);
                Arrays.fill(l, 0, rows * LANES, 0f);
                Arrays.fill(acc, 0, rows * headDim, 0f);
                // BLOCK divides TILE, so j0 ≤ i0: every row of the block sees at least one key of every tile
                for (int j0 = 0; j0 < i0 + rows; j0 += TILE) {
                    int len = Math.min(TILE, i0 + rows - j0);
                    scoreRows(p, qkv, base + i0 * rowStride + h * headDim, rowStride, rows, sc.kT, tp, j0, headDim,
                            scale);
                    for (int r = 0; r < rows; r++) {
                        int pr = r * TILE;
                        Arrays.fill(p, pr + Math.min(TILE, i0 + r + 1 - j0), pr + TILE, Float.NEGATIVE_INFINITY);
                        float mNew = Math.max(m[r], tileMax(p, pr));
                        float alpha = Vectors.exp(m[r] - mNew);
                        if (alpha != 1f) {
                            Vectors.scaleRow(acc, r * headDim, headDim, alpha);
                        }
                        // p_j = e^(s_j − m_new), 0 for the masked keys (−inf); the running sum stays a vector of lane
                        // sums until the row is done
                        FloatVector sum = FloatVector.fromArray(F, l, r * LANES).mul(alpha);
                        for (int v = pr; v < pr + TILE; v += LANES) {
                            FloatVector e = Vectors.exp(FloatVector.fromArray(F, p, v).sub(mNew));
                            e.intoArray(p, v);
                            sum = sum.add(e);
                        }
                        sum.intoArray(l, r * LANES);
                        m[r] = mNew;
                    }
                    // acc[r] += Σ_j p[r, j]·v_j
                    accumulateRows(acc, 0, headDim, p, 0, TILE, 1, rows, len, qkv, base + j0 * rowStride + vCol,
                            rowStride, headDim);
                }
                for (int r = 0; r < rows; r++) {
                    int i = i0 + r;
                    int o = outOff + (bi * t + i) * heads * headDim + h * headDim;
                    System.arraycopy(l, r * LANES, sc.lanes, 0, LANES);
                    float sum = Vectors.sumLanes(sc.lanes);
                    float inv = 1f / sum;
                    for (int d = 0; d < headDim; d++) {
                        out[o + d] = acc[r * headDim + d] * inv;
                    }
                    lse[lseOff + (bi * heads + h) * t + i] = (float) (m[r] + Math.log(sum));
                }
            }
        });
    }

    void backward(float[] dqkv, int dqkvOff, float[] dout, int doutOff, float[] qkv, int qkvOff, float[] out,
                  int outOff, float[] lse, int lseOff, int b, int t, int heads, int kvHeads, int headDim) {
        int rowStride = (heads + 2 * kvHeads) * headDim;
        int outStride = heads * headDim;
        int group = heads / kvHeads;
        int tp = paddedLength(t);
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
            float[] p = sc.p;
            float[] ds = sc.ds;
            Arrays.fill(dk, 0, t * headDim, 0f);
            Arrays.fill(dv, 0, t * headDim, 0f);
            for (int h = kh * group; h < (kh + 1) * group; h++) {
                int qCol = h * headDim;
                for (int i0 = 0; i0 < t; i0 += BLOCK) {
                    int rows = Math.min(BLOCK, t - i0);
                    int y0 = doutOff + (bi * t + i0) * outStride + qCol;
                    for (int r = 0; r < rows; r++) {
                        int y = y0 + r * outStride;
                        sc.dSum[r] = Vectors.dot(dout, y, out, outOff + (y - doutOff), headDim, sc.lanes);
                    }
                    Arrays.fill(dq, 0, rows * headDim, 0f);
                    for (int j0 = 0; j0 < i0 + rows; j0 += TILE) {
                        int len = Math.min(TILE, i0 + rows - j0);
                        // s[r, j] = scale·q_r·k_j and dp[r, j] = dout_r·v_j
                        scoreRows(p, qkv, base + i0 * rowStride + qCol, rowStride, rows, sc.kT, tp, j0, headDim, scale);
                        scoreRows(ds, dout, y0, outStride, rows, sc.vT, tp, j0, headDim, 1f);
                        for (int r = 0; r < rows; r++) {
                            float logSum = lse[lseOff + (bi * heads + h) * t + i0 + r];
                            // p = e^(s − lse_i); ∂L/∂(q·k_j) = p_j·(dp_j − D_i)·scale; keys past i masked to 0
                            for (int v = r * TILE; v < (r + 1) * TILE; v += LANES) {
                                FloatVector pv = Vectors.exp(FloatVector.fromArray(F, p, v).sub(logSum));
                                pv.intoArray(p, v);
                                pv.mul(FloatVector.fromArray(F, ds, v).sub(sc.dSum[r])).mul(scale).intoArray(ds, v);
                            }
                            int visible = Math.min(TILE, i0 + r + 1 - j0);
                            Arrays.fill(p, r * TILE + visible, (r + 1) * TILE, 0f);
                            Arrays.fill(ds, r * TILE + visible, (r + 1) * TILE, 0f);
                        }
                        // dq[r] += Σ_j ds[r, j]·k_j
                        accumulateRows(dq, 0, headDim, ds, 0, TILE, 1, rows, len, qkv, base + j0 * rowStride + kCol,
                                rowStride, headDim);
                        // dk_j += Σ_r ds[r, j]·q_r and dv_j += Σ_r p[r, j]·dout_r
                        accumulateRows(dk, j0 * headDim, headDim, ds, 0, 1, TILE, len, rows, qkv,
                                base + i0 * rowStride + qCol, rowStride, headDim);
                        accumulateRows(dv, j0 * headDim, headDim, p, 0, 1, TILE, len, rows, dout, y0, outStride,
                                headDim);
                    }
                    for (int r = 0; r < rows; r++) {
                        int row = dqkvOff + (base - qkvOff) + (i0 + r) * rowStride + qCol;
                        Vectors.axpy(1f, dq, r * headDim, dqkv, row, headDim);
                    }
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
     * s[r, j] = scale·Σ_d x[xOff + r·xStride + d]·kT[d, j0 + j] for rows r &lt; rows and the TILE keys j of one tile
     * (s is [rows, TILE]; kT is padded to whole tiles, so keys past t read zeros). Rows go in pairs that share every
     * load of kT: eight independent FMA chains per pair.
     */
    private static void scoreRows(float[] s, float[] x, int xOff, int xStride, int rows, float[] kT, int tp, int j0,
                                  int headDim, float scale) {
        int r = 0;
        for (; r + 1 < rows; r += 2) {
            int xa = xOff + r * xStride;
            int xb = xa + xStride;
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            FloatVector b0 = a0;
            FloatVector b1 = a0;
            FloatVector b2 = a0;
            FloatVector b3 = a0;
            for (int d = 0; d < headDim; d++) {
                int row = d * tp + j0;
                FloatVector k0 = FloatVector.fromArray(F, kT, row);
                FloatVector k1 = FloatVector.fromArray(F, kT, row + LANES);
                FloatVector k2 = FloatVector.fromArray(F, kT, row + 2 * LANES);
                FloatVector k3 = FloatVector.fromArray(F, kT, row + 3 * LANES);
                FloatVector qa = FloatVector.broadcast(F, x[xa + d]);
                FloatVector qb = FloatVector.broadcast(F, x[xb + d]);
                a0 = qa.fma(k0, a0);
                a1 = qa.fma(k1, a1);
                a2 = qa.fma(k2, a2);
                a3 = qa.fma(k3, a3);
                b0 = qb.fma(k0, b0);
                b1 = qb.fma(k1, b1);
                b2 = qb.fma(k2, b2);
                b3 = qb.fma(k3, b3);
            }
            int sa = r * TILE;
            int sb = sa + TILE;
            a0.mul(scale).intoArray(s, sa);
            a1.mul(scale).intoArray(s, sa + LANES);
            a2.mul(scale).intoArray(s, sa + 2 * LANES);
            a3.mul(scale).intoArray(s, sa + 3 * LANES);
            b0.mul(scale).intoArray(s, sb);
            b1.mul(scale).intoArray(s, sb + LANES);
            b2.mul(scale).intoArray(s, sb + 2 * LANES);
            b3.mul(scale).intoArray(s, sb + 3 * LANES);
        }
        if (r < rows) {
            int xa = xOff + r * xStride;
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            for (int d = 0; d < headDim; d++) {
                int row = d * tp + j0;
                FloatVector qa = FloatVector.broadcast(F, x[xa + d]);
                a0 = qa.fma(FloatVector.fromArray(F, kT, row), a0);
                a1 = qa.fma(FloatVector.fromArray(F, kT, row + LANES), a1);
                a2 = qa.fma(FloatVector.fromArray(F, kT, row + 2 * LANES), a2);
                a3 = qa.fma(FloatVector.fromArray(F, kT, row + 3 * LANES), a3);
            }
            int sa = r * TILE;
            a0.mul(scale).intoArray(s, sa);
            a1.mul(scale).intoArray(s, sa + LANES);
            a2.mul(scale).intoArray(s, sa + 2 * LANES);
            a3.mul(scale).intoArray(s, sa + 3 * LANES);
        }
    }

    private static float tileMax(float[] s, int off) {
        FloatVector m = FloatVector.fromArray(F, s, off);
        for (int v = off + LANES; v < off + TILE; v += LANES) {
            m = m.max(FloatVector.fromArray(F, s, v));
        }
        // a max is exact in any order, so reduceLanes is deterministic here
        return m.reduceLanes(VectorOperators.MAX);
    }

    /**
     * Weighted sums of rows of b, for outputs o &lt; outputs:
     * acc[accOff + o·accStride + d] += Σ_{j &lt; count} w[wOff + o·wRowStride + j·wStride]·b[bOff + j·bStride + d],
     * d &lt; n. Outputs go in pairs that share every load of b, with four vectors of d of each held in registers
     * across all j (eight FMA chains); a head dimension that is not a multiple of four vectors finishes row by row.
     */
    private static void accumulateRows(float[] acc, int accOff, int accStride, float[] w, int wOff, int wRowStride,
                                       int wStride, int outputs, int count, float[] b, int bOff, int bStride, int n) {
        int wide = n / (4 * LANES) * (4 * LANES);
        int o = 0;
        for (; o + 1 < outputs; o += 2) {
            int accA = accOff + o * accStride;
            int accB = accA + accStride;
            int wA = wOff + o * wRowStride;
            int wB = wA + wRowStride;
            for (int d = 0; d < wide; d += 4 * LANES) {
                FloatVector a0 = FloatVector.zero(F);
                FloatVector a1 = a0;
                FloatVector a2 = a0;
                FloatVector a3 = a0;
                FloatVector c0 = a0;
                FloatVector c1 = a0;
                FloatVector c2 = a0;
                FloatVector c3 = a0;
                for (int j = 0; j < count; j++) {
                    int row = bOff + j * bStride + d;
                    FloatVector b0 = FloatVector.fromArray(F, b, row);
                    FloatVector b1 = FloatVector.fromArray(F, b, row + LANES);
                    FloatVector b2 = FloatVector.fromArray(F, b, row + 2 * LANES);
                    FloatVector b3 = FloatVector.fromArray(F, b, row + 3 * LANES);
                    FloatVector wa = FloatVector.broadcast(F, w[wA + j * wStride]);
                    FloatVector wb = FloatVector.broadcast(F, w[wB + j * wStride]);
                    a0 = wa.fma(b0, a0);
                    a1 = wa.fma(b1, a1);
                    a2 = wa.fma(b2, a2);
                    a3 = wa.fma(b3, a3);
                    c0 = wb.fma(b0, c0);
                    c1 = wb.fma(b1, c1);
                    c2 = wb.fma(b2, c2);
                    c3 = wb.fma(b3, c3);
                }
                addInto(acc, accA + d, a0, a1, a2, a3);
                addInto(acc, accB + d, c0, c1, c2, c3);
            }
            if (wide < n) {
                accumulate(acc, accA + wide, w, wA, wStride, count, b, bOff + wide, bStride, n - wide);
                accumulate(acc, accB + wide, w, wB, wStride, count, b, bOff + wide, bStride, n - wide);
            }
        }
        if (o < outputs) {
            accumulate(acc, accOff + o * accStride, w, wOff + o * wRowStride, wStride, count, b, bOff, bStride, n);
        }
    }

    /** acc[at .. at + 4·LANES) += (a0, a1, a2, a3). */
    private static void addInto(float[] acc, int at, FloatVector a0, FloatVector a1, FloatVector a2, FloatVector a3) {
        a0.add(FloatVector.fromArray(F, acc, at)).intoArray(acc, at);
        a1.add(FloatVector.fromArray(F, acc, at + LANES)).intoArray(acc, at + LANES);
        a2.add(FloatVector.fromArray(F, acc, at + 2 * LANES)).intoArray(acc, at + 2 * LANES);
        a3.add(FloatVector.fromArray(F, acc, at + 3 * LANES)).intoArray(acc, at + 3 * LANES);
    }

    /** One output of {@link #accumulateRows}: acc[accOff + d] += Σ_j w[wOff + j·wStride]·b[bOff + j·bStride + d]. */
    private static void accumulate(float[] acc, int accOff, float[] w, int wOff, int wStride, int count, float[] b,
                                   int bOff, int bStride, int n) {
        int d = 0;
        for (; d + 4 * LANES <= n; d += 4 * LANES) {
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            for (int j = 0; j < count; j++) {
                FloatVector wj = FloatVector.broadcast(F, w[wOff + j * wStride]);
                int row = bOff + j * bStride + d;
                a0 = wj.fma(FloatVector.fromArray(F, b, row), a0);
                a1 = wj.fma(FloatVector.fromArray(F, b, row + LANES), a1);
                a2 = wj.fma(FloatVector.fromArray(F, b, row + 2 * LANES), a2);
                a3 = wj.fma(FloatVector.fromArray(F, b, row + 3 * LANES), a3);
            }
            addInto(acc, accOff + d, a0, a1, a2, a3);
        }
        for (; d + LANES <= n; d += LANES) {
            FloatVector a = FloatVector.zero(F);
            for (int j = 0; j < count; j++) {
                a = FloatVector.broadcast(F, w[wOff + j * wStride])
                        .fma(FloatVector.fromArray(F, b, bOff + j * bStride + d), a);
            }
            a.add(FloatVector.fromArray(F, acc, accOff + d)).intoArray(acc, accOff + d);
        }
        for (; d < n; d++) {
            float sum = 0;
            for (int j = 0; j < count; j++) {
                sum += w[wOff + j * wStride] * b[bOff + j * bStride + d];
            }
            acc[accOff + d] += sum;
        }
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

    /**
     * The row length of kT: t rounded up to whole tiles, plus one vector so that the rows are not a power of two
     * apart (which would map every row of a tile to the same few L1 sets).
     */
    private static int paddedLength(int t) {
        return (t + TILE - 1) / TILE * TILE + LANES;
    }
}
