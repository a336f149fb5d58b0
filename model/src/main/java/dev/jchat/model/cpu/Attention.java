package dev.jchat.model.cpu;

import static dev.jchat.model.cpu.Vectors.F;
import static dev.jchat.model.cpu.Vectors.LANES;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Causal grouped-query self-attention on register-blocked micro-kernels. No [t, t] score matrix exists: the forward
 * takes {@link #M} query rows at a time and the backward {@link #R}, each holding the scores of its rows against the
 * causally visible keys only (O(R·t) floats per thread, not O(t²) per head). The forward computes a group's scores,
 * its exact softmax (max, then e^(s − max), no online rescaling) and P·V, and saves the log-sum-exp per row; the
 * backward recomputes each probability from it and uses FlashAttention-2's D_i = Σ dout_i∘out_i = Σ_j p_ij·dp_ij.
 *
 * <p>Layout: qkv [b, t, (heads + 2·kvHeads)·headDim], each row the query heads, then the key heads, then the value
 * heads; out [b, t, heads·headDim]; lse [b, heads, t]. Query head h reads kv head h / (heads / kvHeads).
 *
 * <p>Every product is a small matrix product C[M, n·LANES] = A·B computed by a micro-kernel that keeps M × (1 to 4)
 * vector accumulators in registers (up to 24 of the 32 zmm registers) and, per step of the summed index, loads 1–4
 * vectors of B and broadcasts M scalars of A from constant offsets (a runtime row stride there would cost C2 an
 * address register per row, see Gemm):
 * <ul>
 * <li>S = Q·Kᵀ and dP = dO·Vᵀ ({@link #scores3}, tails {@link #scores2}, {@link #scores1}): A = the query (dout) head
 *     transposed, [headDim][rows], so a group's M rows are M consecutive floats; B = the key (value) head transposed,
 *     kT [headDim, tp], vectorised across keys. S goes to a score buffer in chunks of {@link #CW} keys,
 *     [chunk][rows][CW] (the forward: M rows; the backward: the block's R rows).
 * <li>O = P·V and dQ = dS·K ({@link #chunkRows4}): A = a group's probabilities (score gradients) from that buffer,
 *     B = value (key) rows padded to {@link #DV} floats, vectorised across the head dimension.
 * <li>dV += Pᵀ·dO and dK += dSᵀ·Q ({@link #keyRows4}): A = M consecutive keys of the buffer (one chunk never splits a
 *     group of keys), summed over the block's query rows; B = the block's dout (query) rows, padded.
 * </ul>
 * Transposes go through 16 × 16 register tiles ({@link Transpose16}) and the softmax's exp is
 * {@link Vectors#exp(FloatVector)}. At t = 256, headDim = 64 on one Zen 5 core this runs the forward at about
 * 85 GFLOP/s and the backward at about 105 (the earlier flash-style tiles: 45 and 57).
 * Causality costs little: a group of M rows only computes scores up to the vector holding its last visible key, the
 * masked entries within are stored as 0, and every sum over keys or rows stops where the mask starts.
 *
 * <p>Work is handed out dynamically: one (batch, head) pair at a time in the forward, one (batch, kv head) pair in the
 * backward, where the pair owns its key and value gradients outright (every query head of the group adds into them)
 * and so needs no locks. The order of every sum is fixed, so results do not depend on scheduling.
 */
final class Attention {

    /** Rows of a micro-tile (query rows, or keys in dK and dV). */
    private static final int M = 6;
    /** Keys per chunk of the score buffer: three vectors, a multiple of M (LANES is even). */
    private static final int CW = 3 * LANES;
    /** Floats per chunk of one group in the score buffer. */
    private static final int MC = M * CW;
    /** Query rows per backward block: dK and dV sum over up to this many rows per load of their accumulators. */
    private static final int R = 16 * M;
    /** Floats per chunk of the backward's score buffers: a chunk holds the block's R rows. */
    private static final int RC = R * CW;
    /** Padded rows (value, key, query, dout, dk, dv, outputs) are whole multiples of four vectors. */
    private static final int DV = 4 * LANES;


    private final Parallel pool;
    private final Scratch[] scratch;
    private final AtomicInteger next = new AtomicInteger();

    /** One thread's buffers, grown on demand and reused across calls. */
    private static final class Scratch {
        float[] kT = new float[0];
        float[] vT = new float[0];
        float[] kB = new float[0];
        float[] vB = new float[0];
        float[] dk = new float[0];
        float[] dv = new float[0];
        float[] qA = new float[0];
        float[] dA = new float[0];
        float[] qB = new float[0];
        float[] dB = new float[0];
        float[] p = new float[0];
        float[] ds = new float[0];
        float[] acc = new float[0];
        /** Per row of a group or block: D_r (backward), or the softmax max and sum (forward). */
        final float[] dSum = new float[R];
        final float[] rowMax = new float[M];
        final float[] rowSum = new float[M];
        final float[] lanes = new float[LANES];

        void ensure(int t, int tp, int headDim, int hdp, boolean backward) {
            kT = grow(kT, headDim * tp);
            acc = grow(acc, M * hdp);
            int scores = (backward ? R : M) * ((t + CW - 1) / CW * CW);
            p = grow(p, scores);
            qA = grow(qA, Math.max(R, tp) * headDim);
            if (backward) {
                vT = grow(vT, headDim * tp);
                kB = grow(kB, tp * hdp);
                dk = grow(dk, tp * hdp);
                dv = grow(dv, tp * hdp);
                dA = grow(dA, R * headDim);
                qB = grow(qB, R * hdp);
                dB = grow(dB, R * hdp);
                ds = grow(ds, scores);
            } else {
                vB = grow(vB, tp * hdp);
            }
        }

        private static float[] grow(float[] a, int n) {
            return a.length < n ? new float[n] : a;
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
        int hdp = (headDim + DV - 1) / DV * DV;
        float scale = (float) (1 / Math.sqrt(headDim));
        for (Scratch s : scratch) {
            s.ensure(t, tp, headDim, hdp, false);
        }
        forEachTask(b * heads, (sc, task) -> forwardHead(sc, task / heads, task % heads, out, outOff, lse, lseOff, qkv,
                qkvOff, t, heads, kvHeads, headDim, rowStride, tp, hdp, scale));
    }

    private static void forwardHead(Scratch sc, int bi, int h, float[] out, int outOff, float[] lse, int lseOff,
                                    float[] qkv, int qkvOff, int t, int heads, int kvHeads, int headDim,
                                    int rowStride, int tp, int hdp, float scale) {
        int kh = h / (heads / kvHeads);
        int base = qkvOff + bi * t * rowStride;
        transpose(qkv, base + (heads + kh) * headDim, rowStride, t, headDim, sc.kT, tp);
        packRows(qkv, base + (heads + kvHeads + kh) * headDim, rowStride, t, t, headDim, sc.vB, hdp);
        transpose(qkv, base + h * headDim, rowStride, t, headDim, sc.qA, tp);
        float[] p = sc.p;
        float[] acc = sc.acc;
        for (int i = 0; i < t; i += M) {
            int valid = Math.min(M, t - i);
            int n = Math.min(i + M, t);
            int nv = (n + LANES - 1) / LANES;
            scores(sc.qA, i, tp, headDim, sc.kT, tp, nv, p, 0, MC, scale);
            for (int r = 0; r < valid; r++) {
                softmaxRow(p, r, i + r + 1, nv, sc);
            }
            for (int dc = 0; dc < hdp; dc += DV) {
                chunkRows4(p, 0, MC, n, sc.vB, dc, hdp, acc, dc, hdp);
            }
            for (int r = 0; r < valid; r++) {
                int o = outOff + (bi * t + i + r) * heads * headDim + h * headDim;
                float sum = sc.rowSum[r];
                scaleInto(acc, r * hdp, out, o, headDim, 1f / sum);
                lse[lseOff + (bi * heads + h) * t + i + r] = (float) (sc.rowMax[r] + Math.log(sum));
            }
        }
    }

    /**
     * Row r of a group's scores (its first vis keys visible, nv vectors computed) becomes e^(s − max) over those keys,
     * 0 past them; the max and the sum (a fixed lane tree) go to rowMax[r] and rowSum[r].
     */
    private static void softmaxRow(float[] p, int r, int vis, int nv, Scratch sc) {
        int full = vis / LANES;
        int live = (vis + LANES - 1) / LANES;
        if (full < live) {
            // the keys past vis in the last visible vector become −inf: they take no part in the max, and exp makes 0
            int at = position(r, full);
            FloatVector.fromArray(F, p, at).blend(Float.NEGATIVE_INFINITY, F.indexInRange(full * LANES, vis).not())
                    .intoArray(p, at);
        }
        FloatVector mx = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (int v = 0; v < live; v++) {
            mx = mx.max(FloatVector.fromArray(F, p, position(r, v)));
        }
        // a max is exact in any order, so reduceLanes is deterministic here
        float m = mx.reduceLanes(VectorOperators.MAX);
        FloatVector sum = FloatVector.zero(F);
        for (int v = 0; v < live; v++) {
            int at = position(r, v);
            FloatVector e = Vectors.exp(FloatVector.fromArray(F, p, at).sub(m));
            e.intoArray(p, at);
            sum = sum.add(e);
        }
        for (int v = live; v < nv; v++) {
            FloatVector.zero(F).intoArray(p, position(r, v));
        }
        sum.intoArray(sc.lanes, 0);
        sc.rowMax[r] = m;
        sc.rowSum[r] = Vectors.sumLanes(sc.lanes);
    }

    /** Offset of vector v (keys v·LANES ..) of row r in the forward's score buffer. */
    private static int position(int r, int v) {
        int chunk = v / 3;
        return chunk * MC + r * CW + (v - chunk * 3) * LANES;
    }

    /**
     * Row r of a group's buffers at {@code at}: p = e^(s − logSum) and ds = p·(dp − dSum)·scale over the first vis
     * keys, both 0 from there to the end of nvChunks vectors.
     */
    private static void gradientRow(float[] p, float[] ds, int at, int r, int vis, int nvChunks, float logSum,
                                    float dSum, float scale) {
        int full = vis / LANES;
        int live = (vis + LANES - 1) / LANES;
        if (full < live) {
            // the keys past vis in the last visible vector: s = −inf, so p = 0 and ds = 0
            int pos = at + gradPosition(r, full);
            FloatVector.fromArray(F, p, pos).blend(Float.NEGATIVE_INFINITY, F.indexInRange(full * LANES, vis).not())
                    .intoArray(p, pos);
        }
        for (int v = 0; v < live; v++) {
            int pos = at + gradPosition(r, v);
            FloatVector pv = Vectors.exp(FloatVector.fromArray(F, p, pos).sub(logSum));
            pv.intoArray(p, pos);
            pv.mul(FloatVector.fromArray(F, ds, pos).sub(dSum)).mul(scale).intoArray(ds, pos);
        }
        for (int v = live; v < nvChunks; v++) {
            int pos = at + gradPosition(r, v);
            FloatVector.zero(F).intoArray(p, pos);
            FloatVector.zero(F).intoArray(ds, pos);
        }
    }

    /** Offset of vector v of row r in the backward's score buffers, relative to the row's group. */
    private static int gradPosition(int r, int v) {
        int chunk = v / 3;
        return chunk * RC + r * CW + (v - chunk * 3) * LANES;
    }

    void backward(float[] dqkv, int dqkvOff, float[] dout, int doutOff, float[] qkv, int qkvOff, float[] out,
                  int outOff, float[] lse, int lseOff, int b, int t, int heads, int kvHeads, int headDim) {
        int tp = paddedLength(t);
        int hdp = (headDim + DV - 1) / DV * DV;
        for (Scratch s : scratch) {
            s.ensure(t, tp, headDim, hdp, true);
        }
        forEachTask(b * kvHeads, (sc, task) -> backwardKvHead(sc, task / kvHeads, task % kvHeads, dqkv, dqkvOff, dout,
                doutOff, qkv, qkvOff, out, outOff, lse, lseOff, t, heads, kvHeads, headDim, tp, hdp));
    }

    private static void backwardKvHead(Scratch sc, int bi, int kh, float[] dqkv, int dqkvOff, float[] dout,
                                       int doutOff, float[] qkv, int qkvOff, float[] out, int outOff, float[] lse,
                                       int lseOff, int t, int heads, int kvHeads, int headDim, int tp, int hdp) {
        int rowStride = (heads + 2 * kvHeads) * headDim;
        int group = heads / kvHeads;
        int base = qkvOff + bi * t * rowStride;
        int dBase = dqkvOff + bi * t * rowStride;
        int kCol = (heads + kh) * headDim;
        int vCol = (heads + kvHeads + kh) * headDim;
        transpose(qkv, base + kCol, rowStride, t, headDim, sc.kT, tp);
        transpose(qkv, base + vCol, rowStride, t, headDim, sc.vT, tp);
        packRows(qkv, base + kCol, rowStride, t, t, headDim, sc.kB, hdp);
        int keyRows = (t + M - 1) / M * M;
        Arrays.fill(sc.dk, 0, keyRows * hdp, 0f);
        Arrays.fill(sc.dv, 0, keyRows * hdp, 0f);
        for (int h = kh * group; h < (kh + 1) * group; h++) {
            for (int i0 = 0; i0 < t; i0 += R) {
                backwardBlock(sc, bi, h, i0, dqkv, dBase, dout, doutOff, qkv, base, out, outOff, lse, lseOff, t, heads,
                        headDim, rowStride, tp, hdp);
            }
        }
        for (int j = 0; j < t; j++) {
            int row = dBase + j * rowStride;
            System.arraycopy(sc.dk, j * hdp, dqkv, row + kCol, headDim);
            System.arraycopy(sc.dv, j * hdp, dqkv, row + vCol, headDim);
        }
    }

    /** Query rows [i0, i0 + R) of head h: writes their dq into dqkv and adds their share of dk and dv into the scratch. */
    private static void backwardBlock(Scratch sc, int bi, int h, int i0, float[] dqkv, int dBase, float[] dout,
                                      int doutOff, float[] qkv, int base, float[] out, int outOff, float[] lse,
                                      int lseOff, int t, int heads, int headDim, int rowStride, int tp, int hdp) {
        int outStride = heads * headDim;
        int qCol = h * headDim;
        int lseRow = lseOff + (bi * heads + h) * t;
        float scale = (float) (1 / Math.sqrt(headDim));
        float[] p = sc.p;
        float[] ds = sc.ds;
        float[] dq = sc.acc;
        int rows = Math.min(R, t - i0);
        int groups = (rows + M - 1) / M;
        int qRow = base + i0 * rowStride + qCol;
        int yRow = doutOff + (bi * t + i0) * outStride + qCol;
        transpose(qkv, qRow, rowStride, rows, headDim, sc.qA, R);
        transpose(dout, yRow, outStride, rows, headDim, sc.dA, R);
        packRows(qkv, qRow, rowStride, rows, groups * M, headDim, sc.qB, hdp);
        packRows(dout, yRow, outStride, rows, groups * M, headDim, sc.dB, hdp);
        for (int r = 0; r < rows; r++) {
            int y = yRow + r * outStride;
            sc.dSum[r] = Vectors.dot(dout, y, out, outOff + (y - doutOff), headDim, sc.lanes);
        }
        // s = scale·q·k and dp = dout·v for each group's rows against its visible keys, a chunk of keys at a time for
        // all groups, so that the chunk of kT and vT stays in L1 while they use it
        int chunks = ((Math.min(i0 + groups * M, t) + LANES - 1) / LANES + 2) / 3;
        for (int c = 0; c < chunks; c++) {
            for (int g = 0; g < groups; g++) {
                int nv = (Math.min(i0 + g * M + M, t) + LANES - 1) / LANES;
                int full = nv / 3;
                int aOff = g * M;
                int cOff = g * M * CW + c * RC;
                if (c < full) {
                    scores3(sc.qA, aOff, R, headDim, sc.kT, c * CW, tp, p, cOff, scale);
                    scores3(sc.dA, aOff, R, headDim, sc.vT, c * CW, tp, ds, cOff, 1f);
                } else if (c == full && nv - full * 3 == 2) {
                    scores2(sc.qA, aOff, R, headDim, sc.kT, c * CW, tp, p, cOff, scale);
                    scores2(sc.dA, aOff, R, headDim, sc.vT, c * CW, tp, ds, cOff, 1f);
                } else if (c == full && nv - full * 3 == 1) {
                    scores1(sc.qA, aOff, R, headDim, sc.kT, c * CW, tp, p, cOff, scale);
                    scores1(sc.dA, aOff, R, headDim, sc.vT, c * CW, tp, ds, cOff, 1f);
                }
            }
        }
        for (int g = 0; g < groups; g++) {
            int i = i0 + g * M;
            int n = Math.min(i + M, t);
            int nv = (n + LANES - 1) / LANES;
            int at = g * M * CW;
            for (int r = 0; r < M; r++) {
                int row = i + r;
                if (row < t) {
                    gradientRow(p, ds, at, r, row + 1, (nv + 2) / 3 * 3, lse[lseRow + row], sc.dSum[row - i0], scale);
                } else {
                    gradientRow(p, ds, at, r, 0, (nv + 2) / 3 * 3, 0f, 0f, scale);
                }
            }
            // dq = ds·K over the visible keys
            for (int dc = 0; dc < hdp; dc += DV) {
                chunkRows4(ds, at, RC, n, sc.kB, dc, hdp, dq, dc, hdp);
            }
            for (int r = 0; r < Math.min(M, t - i); r++) {
                System.arraycopy(dq, r * hdp, dqkv, dBase + (i + r) * rowStride + qCol, headDim);
            }
        }
        // dv_j += Σ_r p[r, j]·dout_r and dk_j += Σ_r ds[r, j]·q_r, M keys at a time, over the rows that see them
        // (groups before the key's row are all masked)
        for (int j = 0; j < i0 + rows; j += M) {
            int r0 = Math.max(0, j - i0) / M * M;
            int at = j / CW * RC + r0 * CW + j % CW;
            for (int dc = 0; dc < hdp; dc += DV) {
                keyRows4(p, at, groups * M - r0, sc.dB, r0 * hdp + dc, hdp, sc.dv, j * hdp + dc, hdp);
                keyRows4(ds, at, groups * M - r0, sc.qB, r0 * hdp + dc, hdp, sc.dk, j * hdp + dc, hdp);
            }
        }
    }

    /**
     * The scores of M rows of a transposed, a[aOff + d·aStride + r] (d &lt; headDim), against the keys of the first nv vectors of
     * kT [headDim, tp], times scale, into a group's score buffer at cOff: whole chunks by {@link #scores3}, the last
     * one or two vectors by {@link #scores1}.
     */
    private static void scores(float[] a, int aOff, int aStride, int headDim, float[] kT, int tp, int nv, float[] c, int cOff,
                               int cs, float scale) {
        int full = nv / 3;
        for (int ch = 0; ch < full; ch++) {
            scores3(a, aOff, aStride, headDim, kT, ch * CW, tp, c, cOff + ch * cs, scale);
        }
        if (nv - full * 3 == 2) {
            scores2(a, aOff, aStride, headDim, kT, full * CW, tp, c, cOff + full * cs, scale);
        } else if (nv - full * 3 == 1) {
            scores1(a, aOff, aStride, headDim, kT, full * CW, tp, c, cOff + full * cs, scale);
        }
    }

    /**
     * c[cOff + r·CW + v·LANES ..] = scale·Σ_{k &lt; n} a[aOff + k·aStride + r]·b[bOff + k·bStride + v·LANES ..] for r &lt; M,
     * v &lt; 3: 18 accumulators, 3 loads and 6 broadcasts per 18 FMAs.
     */
    private static void scores3(float[] a, int aOff, int aStride, int n, float[] b, int bOff, int bStride, float[] c, int cOff,
                                float scale) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00;
        FloatVector c40 = c00, c41 = c00, c42 = c00;
        FloatVector c50 = c00, c51 = c00, c52 = c00;
        for (int k = 0; k < n; k++) {
            FloatVector b0 = FloatVector.fromArray(F, b, bOff);
            FloatVector b1 = FloatVector.fromArray(F, b, bOff + LANES);
            FloatVector b2 = FloatVector.fromArray(F, b, bOff + 2 * LANES);
            FloatVector x;
            x = FloatVector.broadcast(F, a[aOff]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            c02 = x.fma(b2, c02);
            x = FloatVector.broadcast(F, a[aOff + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            c12 = x.fma(b2, c12);
            x = FloatVector.broadcast(F, a[aOff + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            c22 = x.fma(b2, c22);
            x = FloatVector.broadcast(F, a[aOff + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            c32 = x.fma(b2, c32);
            x = FloatVector.broadcast(F, a[aOff + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            c42 = x.fma(b2, c42);
            x = FloatVector.broadcast(F, a[aOff + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            c52 = x.fma(b2, c52);
            aOff += aStride;
            bOff += bStride;
        }
        c00.mul(scale).intoArray(c, cOff);
        c01.mul(scale).intoArray(c, cOff + LANES);
        c02.mul(scale).intoArray(c, cOff + 2 * LANES);
        c10.mul(scale).intoArray(c, cOff + CW);
        c11.mul(scale).intoArray(c, cOff + CW + LANES);
        c12.mul(scale).intoArray(c, cOff + CW + 2 * LANES);
        c20.mul(scale).intoArray(c, cOff + 2 * CW);
        c21.mul(scale).intoArray(c, cOff + 2 * CW + LANES);
        c22.mul(scale).intoArray(c, cOff + 2 * CW + 2 * LANES);
        c30.mul(scale).intoArray(c, cOff + 3 * CW);
        c31.mul(scale).intoArray(c, cOff + 3 * CW + LANES);
        c32.mul(scale).intoArray(c, cOff + 3 * CW + 2 * LANES);
        c40.mul(scale).intoArray(c, cOff + 4 * CW);
        c41.mul(scale).intoArray(c, cOff + 4 * CW + LANES);
        c42.mul(scale).intoArray(c, cOff + 4 * CW + 2 * LANES);
        c50.mul(scale).intoArray(c, cOff + 5 * CW);
        c51.mul(scale).intoArray(c, cOff + 5 * CW + LANES);
        c52.mul(scale).intoArray(c, cOff + 5 * CW + 2 * LANES);
    }


    /** {@link #scores3} for two vectors of keys. */
    private static void scores2(float[] a, int aOff, int aStride, int n, float[] b, int bOff, int bStride, float[] c, int cOff,
                                float scale) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00;
        FloatVector c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00;
        FloatVector c40 = c00, c41 = c00;
        FloatVector c50 = c00, c51 = c00;
        for (int k = 0; k < n; k++) {
            FloatVector b0 = FloatVector.fromArray(F, b, bOff);
            FloatVector b1 = FloatVector.fromArray(F, b, bOff + LANES);
            FloatVector x;
            x = FloatVector.broadcast(F, a[aOff]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(F, a[aOff + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(F, a[aOff + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(F, a[aOff + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(F, a[aOff + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(F, a[aOff + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            aOff += aStride;
            bOff += bStride;
        }
        c00.mul(scale).intoArray(c, cOff);
        c01.mul(scale).intoArray(c, cOff + LANES);
        c10.mul(scale).intoArray(c, cOff + CW);
        c11.mul(scale).intoArray(c, cOff + CW + LANES);
        c20.mul(scale).intoArray(c, cOff + 2 * CW);
        c21.mul(scale).intoArray(c, cOff + 2 * CW + LANES);
        c30.mul(scale).intoArray(c, cOff + 3 * CW);
        c31.mul(scale).intoArray(c, cOff + 3 * CW + LANES);
        c40.mul(scale).intoArray(c, cOff + 4 * CW);
        c41.mul(scale).intoArray(c, cOff + 4 * CW + LANES);
        c50.mul(scale).intoArray(c, cOff + 5 * CW);
        c51.mul(scale).intoArray(c, cOff + 5 * CW + LANES);
    }

    /** {@link #scores3} for one vector of keys. */
    private static void scores1(float[] a, int aOff, int aStride, int n, float[] b, int bOff, int bStride, float[] c, int cOff,
                                float scale) {
        FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
        for (int k = 0; k < n; k++) {
            FloatVector b0 = FloatVector.fromArray(F, b, bOff);
            c0 = FloatVector.broadcast(F, a[aOff]).fma(b0, c0);
            c1 = FloatVector.broadcast(F, a[aOff + 1]).fma(b0, c1);
            c2 = FloatVector.broadcast(F, a[aOff + 2]).fma(b0, c2);
            c3 = FloatVector.broadcast(F, a[aOff + 3]).fma(b0, c3);
            c4 = FloatVector.broadcast(F, a[aOff + 4]).fma(b0, c4);
            c5 = FloatVector.broadcast(F, a[aOff + 5]).fma(b0, c5);
            aOff += aStride;
            bOff += bStride;
        }
        c0.mul(scale).intoArray(c, cOff);
        c1.mul(scale).intoArray(c, cOff + CW);
        c2.mul(scale).intoArray(c, cOff + 2 * CW);
        c3.mul(scale).intoArray(c, cOff + 3 * CW);
        c4.mul(scale).intoArray(c, cOff + 4 * CW);
        c5.mul(scale).intoArray(c, cOff + 5 * CW);
    }

    /**
     * c[cOff + r·cStride + v·LANES ..] = Σ_{k &lt; n} a[aOff + (k / CW)·cs + r·CW + k % CW]·b[bOff + k·bStride + v·LANES ..]
     * for r &lt; M, v &lt; 4: a group's score buffer times rows of b. 24 accumulators, 4 loads and 6 broadcasts per 24
     * FMAs.
     */
    private static void chunkRows4(float[] a, int aOff, int cs, int n, float[] b, int bOff, int bStride, float[] c, int cOff,
                                   int cStride) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        FloatVector c40 = c00, c41 = c00, c42 = c00, c43 = c00;
        FloatVector c50 = c00, c51 = c00, c52 = c00, c53 = c00;
        int ap = aOff;
        int bp = bOff;
        int left = CW;
        for (int k = 0; k < n; k++) {
            FloatVector b0 = FloatVector.fromArray(F, b, bp);
            FloatVector b1 = FloatVector.fromArray(F, b, bp + LANES);
            FloatVector b2 = FloatVector.fromArray(F, b, bp + 2 * LANES);
            FloatVector b3 = FloatVector.fromArray(F, b, bp + 3 * LANES);
            FloatVector x;
            x = FloatVector.broadcast(F, a[ap]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            c02 = x.fma(b2, c02);
            c03 = x.fma(b3, c03);
            x = FloatVector.broadcast(F, a[ap + CW]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            c12 = x.fma(b2, c12);
            c13 = x.fma(b3, c13);
            x = FloatVector.broadcast(F, a[ap + 2 * CW]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            c22 = x.fma(b2, c22);
            c23 = x.fma(b3, c23);
            x = FloatVector.broadcast(F, a[ap + 3 * CW]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            c32 = x.fma(b2, c32);
            c33 = x.fma(b3, c33);
            x = FloatVector.broadcast(F, a[ap + 4 * CW]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            c42 = x.fma(b2, c42);
            c43 = x.fma(b3, c43);
            x = FloatVector.broadcast(F, a[ap + 5 * CW]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            c52 = x.fma(b2, c52);
            c53 = x.fma(b3, c53);
            bp += bStride;
            ap++;
            if (--left == 0) {
                // the next chunk of keys
                ap += cs - CW;
                left = CW;
            }
        }
        int o1 = cOff + cStride;
        int o2 = o1 + cStride;
        int o3 = o2 + cStride;
        int o4 = o3 + cStride;
        int o5 = o4 + cStride;
        c00.intoArray(c, cOff);
        c01.intoArray(c, cOff + LANES);
        c02.intoArray(c, cOff + 2 * LANES);
        c03.intoArray(c, cOff + 3 * LANES);
        c10.intoArray(c, o1);
        c11.intoArray(c, o1 + LANES);
        c12.intoArray(c, o1 + 2 * LANES);
        c13.intoArray(c, o1 + 3 * LANES);
        c20.intoArray(c, o2);
        c21.intoArray(c, o2 + LANES);
        c22.intoArray(c, o2 + 2 * LANES);
        c23.intoArray(c, o2 + 3 * LANES);
        c30.intoArray(c, o3);
        c31.intoArray(c, o3 + LANES);
        c32.intoArray(c, o3 + 2 * LANES);
        c33.intoArray(c, o3 + 3 * LANES);
        c40.intoArray(c, o4);
        c41.intoArray(c, o4 + LANES);
        c42.intoArray(c, o4 + 2 * LANES);
        c43.intoArray(c, o4 + 3 * LANES);
        c50.intoArray(c, o5);
        c51.intoArray(c, o5 + LANES);
        c52.intoArray(c, o5 + 2 * LANES);
        c53.intoArray(c, o5 + 3 * LANES);
    }


    /**
     * c[cOff + x·cStride + v·LANES ..] += Σ_{r &lt; rows} a[aOff + r·CW + x]·b[bOff + r·bStride + v·LANES ..] for
     * x &lt; M, v &lt; 4: M consecutive keys of the backward's score buffer (aOff: their position in its first row) times
     * as many rows of b, added into M rows of c.
     */
    private static void keyRows4(float[] a, int aOff, int rows, float[] b, int bOff, int bStride, float[] c, int cOff,
                                 int cStride) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        FloatVector c40 = c00, c41 = c00, c42 = c00, c43 = c00;
        FloatVector c50 = c00, c51 = c00, c52 = c00, c53 = c00;
        int bp = bOff;
        int end = aOff + rows * CW;
        for (int ap = aOff; ap < end; ap += CW) {
            FloatVector b0 = FloatVector.fromArray(F, b, bp);
            FloatVector b1 = FloatVector.fromArray(F, b, bp + LANES);
            FloatVector b2 = FloatVector.fromArray(F, b, bp + 2 * LANES);
            FloatVector b3 = FloatVector.fromArray(F, b, bp + 3 * LANES);
            FloatVector x;
            x = FloatVector.broadcast(F, a[ap]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            c02 = x.fma(b2, c02);
            c03 = x.fma(b3, c03);
            x = FloatVector.broadcast(F, a[ap + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            c12 = x.fma(b2, c12);
            c13 = x.fma(b3, c13);
            x = FloatVector.broadcast(F, a[ap + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            c22 = x.fma(b2, c22);
            c23 = x.fma(b3, c23);
            x = FloatVector.broadcast(F, a[ap + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            c32 = x.fma(b2, c32);
            c33 = x.fma(b3, c33);
            x = FloatVector.broadcast(F, a[ap + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            c42 = x.fma(b2, c42);
            c43 = x.fma(b3, c43);
            x = FloatVector.broadcast(F, a[ap + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            c52 = x.fma(b2, c52);
            c53 = x.fma(b3, c53);
            bp += bStride;
        }
        int o1 = cOff + cStride;
        int o2 = o1 + cStride;
        int o3 = o2 + cStride;
        int o4 = o3 + cStride;
        int o5 = o4 + cStride;
        c00.add(FloatVector.fromArray(F, c, cOff)).intoArray(c, cOff);
        c01.add(FloatVector.fromArray(F, c, cOff + LANES)).intoArray(c, cOff + LANES);
        c02.add(FloatVector.fromArray(F, c, cOff + 2 * LANES)).intoArray(c, cOff + 2 * LANES);
        c03.add(FloatVector.fromArray(F, c, cOff + 3 * LANES)).intoArray(c, cOff + 3 * LANES);
        c10.add(FloatVector.fromArray(F, c, o1)).intoArray(c, o1);
        c11.add(FloatVector.fromArray(F, c, o1 + LANES)).intoArray(c, o1 + LANES);
        c12.add(FloatVector.fromArray(F, c, o1 + 2 * LANES)).intoArray(c, o1 + 2 * LANES);
        c13.add(FloatVector.fromArray(F, c, o1 + 3 * LANES)).intoArray(c, o1 + 3 * LANES);
        c20.add(FloatVector.fromArray(F, c, o2)).intoArray(c, o2);
        c21.add(FloatVector.fromArray(F, c, o2 + LANES)).intoArray(c, o2 + LANES);
        c22.add(FloatVector.fromArray(F, c, o2 + 2 * LANES)).intoArray(c, o2 + 2 * LANES);
        c23.add(FloatVector.fromArray(F, c, o2 + 3 * LANES)).intoArray(c, o2 + 3 * LANES);
        c30.add(FloatVector.fromArray(F, c, o3)).intoArray(c, o3);
        c31.add(FloatVector.fromArray(F, c, o3 + LANES)).intoArray(c, o3 + LANES);
        c32.add(FloatVector.fromArray(F, c, o3 + 2 * LANES)).intoArray(c, o3 + 2 * LANES);
        c33.add(FloatVector.fromArray(F, c, o3 + 3 * LANES)).intoArray(c, o3 + 3 * LANES);
        c40.add(FloatVector.fromArray(F, c, o4)).intoArray(c, o4);
        c41.add(FloatVector.fromArray(F, c, o4 + LANES)).intoArray(c, o4 + LANES);
        c42.add(FloatVector.fromArray(F, c, o4 + 2 * LANES)).intoArray(c, o4 + 2 * LANES);
        c43.add(FloatVector.fromArray(F, c, o4 + 3 * LANES)).intoArray(c, o4 + 3 * LANES);
        c50.add(FloatVector.fromArray(F, c, o5)).intoArray(c, o5);
        c51.add(FloatVector.fromArray(F, c, o5 + LANES)).intoArray(c, o5 + LANES);
        c52.add(FloatVector.fromArray(F, c, o5 + 2 * LANES)).intoArray(c, o5 + 2 * LANES);
        c53.add(FloatVector.fromArray(F, c, o5 + 3 * LANES)).intoArray(c, o5 + 3 * LANES);
    }


    /** dst[dstOff + d] = src[srcOff + d]·f for d &lt; n. */
    private static void scaleInto(float[] src, int srcOff, float[] dst, int dstOff, int n, float f) {
        int d = 0;
        for (int upper = F.loopBound(n); d < upper; d += LANES) {
            FloatVector.fromArray(F, src, srcOff + d).mul(f).intoArray(dst, dstOff + d);
        }
        for (; d < n; d++) {
            dst[dstOff + d] = src[srcOff + d] * f;
        }
    }

    /**
     * dst[d, j] = src[srcOff + j·rowStride + d] for j &lt; t; columns t..tp−1 zeroed. dst is [headDim, tp]. With 16
     * lanes, 16 × 16 tiles are transposed in registers ({@link Transpose16}); the rest element by element.
     */
    private static void transpose(float[] src, int srcOff, int rowStride, int t, int headDim, float[] dst, int tp) {
        int tiles = LANES == 16 ? 16 : 0;
        int j = 0;
        if (tiles > 0) {
            int dTiled = headDim / 16 * 16;
            for (; j + 16 <= t; j += 16) {
                int row = srcOff + j * rowStride;
                for (int d = 0; d < dTiled; d += 16) {
                    Transpose16.transpose16(src, row + d, rowStride, dst, d * tp + j, tp);
                }
                for (int d = dTiled; d < headDim; d++) {
                    for (int jj = 0; jj < 16; jj++) {
                        dst[d * tp + j + jj] = src[row + jj * rowStride + d];
                    }
                }
            }
        }
        for (; j < t; j++) {
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
     * dst[r·hdp + d] = src[srcOff + r·rowStride + d] for r &lt; rows, d &lt; headDim; the row padding d in [headDim, hdp)
     * and the rows in [rows, padded) zeroed.
     */
    private static void packRows(float[] src, int srcOff, int rowStride, int rows, int padded, int headDim,
                                 float[] dst, int hdp) {
        for (int r = 0; r < rows; r++) {
            System.arraycopy(src, srcOff + r * rowStride, dst, r * hdp, headDim);
            if (headDim < hdp) {
                Arrays.fill(dst, r * hdp + headDim, (r + 1) * hdp, 0f);
            }
        }
        Arrays.fill(dst, rows * hdp, padded * hdp, 0f);
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
     * The row length of kT and vT: t rounded up to whole chunks (the score kernels read whole chunks), plus one
     * vector so that the rows are not a power of two apart (which would map a chunk's rows to the same few L1 sets).
     */
    private static int paddedLength(int t) {
        return (t + CW - 1) / CW * CW + LANES;
    }
}
