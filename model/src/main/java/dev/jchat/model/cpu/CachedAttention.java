package dev.jchat.model.cpu;

import static dev.jchat.model.cpu.Vectors.F;
import static dev.jchat.model.cpu.Vectors.LANES;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.incubator.vector.FloatVector;

/**
 * Attention of a few new rows against a key/value cache (inference): decode brings one row, a prefill or a run of
 * injected tokens a few hundred. Each (query head, row) pair is a task: its scores against the visible cached keys
 * are dot products (a key row is contiguous, [capacity, headDim] per kv head), then an exact two-pass softmax and
 * the weighted sum of value rows. Memory-bound on the cache, so no tiling: every key and value row is read once per
 * query head. Tasks are handed out dynamically (rows see different numbers of keys); each task writes only its own
 * output, and its sums run in a fixed order, so results do not depend on scheduling.
 *
 * <p>Layout: qkv [t, (heads + 2·kvHeads)·headDim]; keys and values [kvHeads, capacity, headDim]; out
 * [t, heads·headDim].
 */
final class CachedAttention {

    private final Parallel pool;
    private final Scratch[] scratch;
    private final AtomicInteger next = new AtomicInteger();

    /** One thread's buffers: the scores of one row, the output accumulator, a lane-sum buffer. */
    private static final class Scratch {
        float[] scores = new float[0];
        float[] acc = new float[0];
        final float[] lanes = new float[LANES];
    }

    CachedAttention(Parallel pool) {
        this.pool = pool;
        scratch = new Scratch[pool.threads()];
        for (int i = 0; i < scratch.length; i++) {
            scratch[i] = new Scratch();
        }
    }

    void forward(float[] out, int outOff, float[] qkv, int qkvOff, float[] keys, int kOff, float[] values, int vOff,
                 int t, int pos0, int capacity, int heads, int kvHeads, int headDim) {
        int rowStride = (heads + 2 * kvHeads) * headDim;
        // the new keys and values first, so that each row sees itself
        for (int i = 0; i < t; i++) {
            for (int g = 0; g < kvHeads; g++) {
                int dst = (g * capacity + pos0 + i) * headDim;
                int src = qkvOff + i * rowStride + (heads + g) * headDim;
                System.arraycopy(qkv, src, keys, kOff + dst, headDim);
                System.arraycopy(qkv, src + kvHeads * headDim, values, vOff + dst, headDim);
            }
        }
        for (Scratch s : scratch) {
            if (s.scores.length < pos0 + t) {
                s.scores = new float[pos0 + t];
            }
            if (s.acc.length < headDim) {
                s.acc = new float[headDim];
            }
        }
        float scale = (float) (1 / Math.sqrt(headDim));
        int group = heads / kvHeads;
        int tasks = heads * t;
        next.set(0);
        pool.forRange(Math.min(pool.threads(), tasks), (start, end) -> {
            Scratch sc = scratch[start];
            for (int task = next.getAndIncrement(); task < tasks; task = next.getAndIncrement()) {
                int h = task % heads;
                int i = task / heads;
                int g = h / group;
                row(sc, qkv, qkvOff + i * rowStride + h * headDim, keys, kOff + g * capacity * headDim, values,
                        vOff + g * capacity * headDim, pos0 + i + 1, headDim, scale, out,
                        outOff + i * heads * headDim + h * headDim);
            }
        });
    }

    /** out[o..] = softmax(q·Kᵀ·scale) · V over the first {@code visible} cached keys of one kv head. */
    private static void row(Scratch sc, float[] qkv, int q, float[] keys, int k0, float[] values, int v0, int visible,
                            int headDim, float scale, float[] out, int o) {
        float[] s = sc.scores;
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < visible; j++) {
            s[j] = Vectors.dot(qkv, q, keys, k0 + j * headDim, headDim, sc.lanes) * scale;
            max = Math.max(max, s[j]);
        }
        FloatVector sum = FloatVector.zero(F);
        int j = 0;
        for (int upper = F.loopBound(visible); j < upper; j += LANES) {
            FloatVector e = Vectors.exp(FloatVector.fromArray(F, s, j).sub(max));
            e.intoArray(s, j);
            sum = sum.add(e);
        }
        sum.intoArray(sc.lanes, 0);
        float total = Vectors.sumLanes(sc.lanes);
        for (; j < visible; j++) {
            s[j] = Vectors.exp(s[j] - max);
            total += s[j];
        }
        float[] acc = sc.acc;
        Arrays.fill(acc, 0, headDim, 0f);
        for (j = 0; j < visible; j++) {
            Vectors.axpy(s[j], values, v0 + j * headDim, acc, 0, headDim);
        }
        float inv = 1f / total;
        for (int d = 0; d < headDim; d++) {
            out[o + d] = acc[d] * inv;
        }
    }
}
