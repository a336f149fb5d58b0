package dev.jchat.model.cpu;

import static dev.jchat.model.cpu.Vectors.F;
import static dev.jchat.model.cpu.Vectors.LANES;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The LM head, softmax and cross-entropy fused over chunks of rows, so that the [n, vocab] logits never exist: for
 * each chunk of up to {@link #MAX_ROWS} rows, logits [rows, vocab] = x·headᵀ (the parallel matmul), then per row
 * (parallel over rows) a stable log-softmax gives the loss and turns the logits in place into
 * dlogits = (softmax − onehot(target))·gradScale, then dx = dlogits·head and dhead += dlogitsᵀ·x (parallel matmuls
 * again). Rows with a negative target get zero loss and zero gradient; a chunk of only such rows skips the matmuls.
 */
final class CrossEntropy {

    /** Rows per chunk: enough that the matmuls run at full speed, few enough that the logits stay modest. */
    private static final int MAX_ROWS = 256;
    /** The chunk's logits are kept under this many floats (16 MB) for large vocabularies. */
    private static final int MAX_CHUNK_FLOATS = 1 << 22;

    private final Parallel pool;
    /** [rows, vocab] logits, then dlogits, of the current chunk: reused across chunks and calls. */
    private float[] logits = new float[0];
    /** [rows] per-row losses of the current chunk, summed in row order so the total is deterministic. */
    private double[] losses = new double[0];

    CrossEntropy(Parallel pool) {
        this.pool = pool;
    }

    /** Σ over unmasked rows of −log softmax(x[i]·headᵀ)[targets[i]]; with dx, also the gradients (see Backend). */
    double run(float[] dx, int dxOff, float[] dhead, int dheadOff, float[] x, int xOff, float[] head, int headOff,
               int[] targets, float[] rowLosses, int n, int c, int vocab, float gradScale) {
        int rows = Math.max(1, Math.min(MAX_ROWS, MAX_CHUNK_FLOATS / Math.max(1, vocab)));
        if (logits.length < rows * vocab) {
            logits = new float[rows * vocab];
        }
        if (losses.length < rows) {
            losses = new double[rows];
        }
        float[] z = logits;
        boolean backward = dx != null;
        double total = 0;
        for (int r0 = 0; r0 < n; r0 += rows) {
            int len = Math.min(rows, n - r0);
            int chunkStart = r0;
            if (allMasked(targets, r0, len)) {
                if (rowLosses != null) {
                    Arrays.fill(rowLosses, r0, r0 + len, 0f);
                }
                if (backward) {
                    Arrays.fill(dx, dxOff + r0 * c, dxOff + (r0 + len) * c, 0f);
                }
                continue;
            }
            // z [len, vocab] = x[r0 .. r0 + len) · headᵀ
            Matmul.forward(pool, z, 0, x, xOff + r0 * c, head, headOff, len, c, vocab);
            pool.forRange(len, (start, end) -> {
                float[] lanes = new float[LANES];
                for (int r = start; r < end; r++) {
                    losses[r] = softmaxRow(z, r * vocab, vocab, targets[chunkStart + r], backward, gradScale, lanes);
                }
            });
            for (int r = 0; r < len; r++) {
                total += losses[r];
                if (rowLosses != null) {
                    rowLosses[r0 + r] = (float) losses[r];
                }
            }
            if (backward) {
                Matmul.backwardInput(pool, dx, dxOff + r0 * c, z, 0, head, headOff, len, c, vocab);
                Matmul.backwardWeight(pool, dhead, dheadOff, z, 0, x, xOff + r0 * c, len, c, vocab);
            }
        }
        return total;
    }

    /**
     * The loss of one row of logits z[off .. off + vocab): log Σ e^z − z[target], with the max subtracted before
     * exponentiating. With {@code backward} the row becomes (softmax − onehot)·gradScale; a masked row (target < 0)
     * becomes zeros and its loss is 0.
     */
    private static double softmaxRow(float[] z, int off, int vocab, int target, boolean backward, float gradScale,
                                     float[] lanes) {
        if (target < 0) {
            if (backward) {
                Arrays.fill(z, off, off + vocab, 0f);
            }
            return 0;
        }
        int upper = F.loopBound(vocab);
        FloatVector mv = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int v = 0;
        for (; v < upper; v += LANES) {
            mv = mv.max(FloatVector.fromArray(F, z, off + v));
        }
        // the max is exact in any order, so reduceLanes is deterministic here
        float max = mv.reduceLanes(VectorOperators.MAX);
        for (; v < vocab; v++) {
            max = Math.max(max, z[off + v]);
        }
        float zt = z[off + target];
        // e_v = e^(z_v − max), kept in place for the gradient
        FloatVector sv = FloatVector.zero(F);
        for (v = 0; v < upper; v += LANES) {
            FloatVector e = Vectors.exp(FloatVector.fromArray(F, z, off + v).sub(max));
            e.intoArray(z, off + v);
            sv = sv.add(e);
        }
        sv.intoArray(lanes, 0);
        float sum = Vectors.sumLanes(lanes);
        for (; v < vocab; v++) {
            float e = Vectors.exp(z[off + v] - max);
            z[off + v] = e;
            sum += e;
        }
        double loss = max + Math.log(sum) - zt;
        if (backward) {
            // dz_v = (e_v / Σe − [v == target])·gradScale
            Vectors.scaleRow(z, off, vocab, gradScale / sum);
            z[off + target] -= gradScale;
        }
        return loss;
    }

    private static boolean allMasked(int[] targets, int from, int len) {
        for (int i = from; i < from + len; i++) {
            if (targets[i] >= 0) {
                return false;
            }
        }
        return true;
    }
}
