package dev.jchat.model.cpu;

import static dev.jchat.model.cpu.Vectors.F;
import static dev.jchat.model.cpu.Vectors.LANES;

import dev.jchat.model.backend.Backend;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.incubator.vector.FloatVector;

/**
 * Attention of new rows against a key/value cache (inference). A prefill from position 0 is exactly causal
 * self-attention over its own rows, so it goes to the training kernel ({@link Attention}), whose register tiles are
 * many times faster on hundreds of rows. Everything else (decode brings one row; injected tokens a few) is a task
 * per (query head, row), memory-bound on the cache, vectorised without horizontal sums:
 * <ul>
 * <li>scores across positions: keys are cached transposed in tiles of 64 positions ({@link Backend#keyIndex}), so
 *     one vector holds LANES positions and s[j..j+LANES) += q[d]·kᵀ[d, j..j+LANES) for each d, reading each tile
 *     front to back (four vectors of positions at a time, four independent FMA chains);
 * <li>an exact two-pass softmax (max, then e^(s − max) and its sum);
 * <li>the output across the head dimension: out[d..d+LANES) = Σ_j p_j·v[j, d..d+LANES), the sum over positions
 *     split four ways (j mod 4) so that four FMA chains run at once, and added in a fixed order at the end.
 * </ul>
 * Tasks are handed out dynamically (rows see different numbers of keys); each writes only its own output and sums in
 * a fixed order, so results do not depend on scheduling.
 *
 * <p>Layout: qkv [t, (heads + 2·kvHeads)·headDim]; keys [kvHeads, capacity·headDim] in tiles; values
 * [kvHeads, capacity, headDim]; out [t, heads·headDim].
 */
final class CachedAttention {

    /** Positions per tile of the key cache; a multiple of 4·LANES, so a chunk of four vectors stays inside a tile. */
    private static final int TILE = Backend.KEY_TILE;

    /** Rows per block of the key transposition: their source rows stay in L1 while every dimension is stored. */
    private static final int TRANSPOSE_ROWS = 16;

    private final Parallel pool;
    private final Attention attention;
    private final float[][] scores;
    private final float[][] lanes;
    private final AtomicInteger next = new AtomicInteger();
    /** The training kernel's log-sum-exp output, which inference does not need. */
    private float[] lse = new float[0];

    CachedAttention(Parallel pool, Attention attention) {
        this.pool = pool;
        this.attention = attention;
        scores = new float[pool.threads()][0];
        lanes = new float[pool.threads()][LANES];
    }

    void forward(float[] out, int outOff, float[] qkv, int qkvOff, float[] keys, int kOff, float[] values, int vOff,
                 int t, int pos0, int capacity, int heads, int kvHeads, int headDim) {
        int rowStride = (heads + 2 * kvHeads) * headDim;
        // the new keys and values first, so that each row sees itself; keys transposed a block of rows at a time,
        // so that each store fills consecutive positions of one dimension's row instead of striding through them all
        for (int g = 0; g < kvHeads; g++) {
            int src = qkvOff + (heads + g) * headDim;
            int head = kOff + g * capacity * headDim;
            for (int i0 = 0; i0 < t; i0 += TRANSPOSE_ROWS) {
                int rows = Math.min(TRANSPOSE_ROWS, t - i0);
                for (int d = 0; d < headDim; d++) {
                    for (int i = 0; i < rows; i++) {
                        keys[head + Backend.keyIndex(pos0 + i0 + i, d, capacity, headDim)] =
                                qkv[src + (i0 + i) * rowStride + d];
                    }
                }
            }
            for (int i = 0; i < t; i++) {
                System.arraycopy(qkv, src + i * rowStride + kvHeads * headDim, values,
                        vOff + (g * capacity + pos0 + i) * headDim, headDim);
            }
        }
        if (pos0 == 0 && t > 1) {
            if (lse.length < heads * t) {
                lse = new float[heads * t];
            }
            attention.forward(out, outOff, lse, 0, qkv, qkvOff, 1, t, heads, kvHeads, headDim);
            return;
        }
        for (int s = 0; s < scores.length; s++) {
            if (scores[s].length < pos0 + t) {
                scores[s] = new float[pos0 + t];
            }
        }
        float scale = (float) (1 / Math.sqrt(headDim));
        int group = heads / kvHeads;
        int tasks = heads * t;
        next.set(0);
        pool.forRange(Math.min(pool.threads(), tasks), (start, end) -> {
            float[] s = scores[start];
            float[] l = lanes[start];
            for (int task = next.getAndIncrement(); task < tasks; task = next.getAndIncrement()) {
                int h = task % heads;
                int i = task / heads;
                int g = h / group;
                row(s, l, qkv, qkvOff + i * rowStride + h * headDim, keys, kOff + g * capacity * headDim, capacity,
                        values, vOff + g * capacity * headDim, pos0 + i + 1, headDim, scale, out,
                        outOff + i * heads * headDim + h * headDim);
            }
        });
    }

    /** out[o..] = softmax(q·Kᵀ·scale) · V over the first {@code visible} cached positions of one kv head. */
    private static void row(float[] s, float[] lanes, float[] qkv, int q, float[] keys, int k0, int capacity,
                            float[] values, int v0, int visible, int headDim, float scale, float[] out, int o) {
        scores(s, qkv, q, keys, k0, capacity, visible, headDim, scale);
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < visible; j++) {
            max = Math.max(max, s[j]);
        }
        FloatVector sum = FloatVector.zero(F);
        int j = 0;
        for (int upper = F.loopBound(visible); j < upper; j += LANES) {
            FloatVector e = Vectors.exp(FloatVector.fromArray(F, s, j).sub(max));
            e.intoArray(s, j);
            sum = sum.add(e);
        }
        sum.intoArray(lanes, 0);
        float total = Vectors.sumLanes(lanes);
        for (; j < visible; j++) {
            s[j] = Vectors.exp(s[j] - max);
            total += s[j];
        }
        float inv = 1f / total;
        int d = 0;
        for (; d + LANES <= headDim; d += LANES) {
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = FloatVector.zero(F);
            FloatVector a2 = FloatVector.zero(F);
            FloatVector a3 = FloatVector.zero(F);
            int p = 0;
            for (; p + 4 <= visible; p += 4) {
                int v = v0 + p * headDim + d;
                a0 = FloatVector.fromArray(F, values, v).fma(FloatVector.broadcast(F, s[p]), a0);
                a1 = FloatVector.fromArray(F, values, v + headDim).fma(FloatVector.broadcast(F, s[p + 1]), a1);
                a2 = FloatVector.fromArray(F, values, v + 2 * headDim).fma(FloatVector.broadcast(F, s[p + 2]), a2);
                a3 = FloatVector.fromArray(F, values, v + 3 * headDim).fma(FloatVector.broadcast(F, s[p + 3]), a3);
            }
            for (; p < visible; p++) {
                a0 = FloatVector.fromArray(F, values, v0 + p * headDim + d).fma(FloatVector.broadcast(F, s[p]), a0);
            }
            a0.add(a1).add(a2.add(a3)).mul(inv).intoArray(out, o + d);
        }
        for (; d < headDim; d++) {
            float acc = 0;
            for (int p = 0; p < visible; p++) {
                acc += s[p] * values[v0 + p * headDim + d];
            }
            out[o + d] = acc * inv;
        }
    }

    /**
     * s[j] = scale · q·k_j for j in [0, visible), from one kv head's keys in {@link Backend#keyIndex}'s tiles: a
     * run of LANES positions never straddles a tile, and within a tile of width w dimension d of its positions sits
     * at tile start · headDim + d · w.
     */
    private static void scores(float[] s, float[] qkv, int q, float[] keys, int k0, int capacity, int visible,
                               int headDim, float scale) {
        int j = 0;
        for (; j + 4 * LANES <= visible; j += 4 * LANES) {
            int tile = j - j % TILE;
            int width = Math.min(TILE, capacity - tile);
            int base = k0 + tile * headDim + j - tile;
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = FloatVector.zero(F);
            FloatVector a2 = FloatVector.zero(F);
            FloatVector a3 = FloatVector.zero(F);
            for (int d = 0; d < headDim; d++) {
                FloatVector qd = FloatVector.broadcast(F, qkv[q + d]);
                int k = base + d * width;
                a0 = FloatVector.fromArray(F, keys, k).fma(qd, a0);
                a1 = FloatVector.fromArray(F, keys, k + LANES).fma(qd, a1);
                a2 = FloatVector.fromArray(F, keys, k + 2 * LANES).fma(qd, a2);
                a3 = FloatVector.fromArray(F, keys, k + 3 * LANES).fma(qd, a3);
            }
            a0.mul(scale).intoArray(s, j);
            a1.mul(scale).intoArray(s, j + LANES);
            a2.mul(scale).intoArray(s, j + 2 * LANES);
            a3.mul(scale).intoArray(s, j + 3 * LANES);
        }
        for (; j + LANES <= visible; j += LANES) {
            int tile = j - j % TILE;
            int width = Math.min(TILE, capacity - tile);
            int base = k0 + tile * headDim + j - tile;
            FloatVector a = FloatVector.zero(F);
            for (int d = 0; d < headDim; d++) {
                a = FloatVector.fromArray(F, keys, base + d * width).fma(FloatVector.broadcast(F, qkv[q + d]), a);
            }
            a.mul(scale).intoArray(s, j);
        }
        for (; j < visible; j++) {
            float acc = 0;
            for (int d = 0; d < headDim; d++) {
                acc += qkv[q + d] * keys[k0 + Backend.keyIndex(j, d, capacity, headDim)];
            }
            s[j] = acc * scale;
        }
    }
}
