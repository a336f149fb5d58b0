package dev.jchat.model.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Matrix products of a linear layer on float arrays (row-major, weights [out, in] as HF stores them).
 */
public final class Matmul {

    /** Up to this many rows, forward is a set of dot products (decode), not a packed GEMM. */
    static final int DOT_ROWS = 4;

    private Matmul() {}

    /** out[n, m] = inp[n, k] · w[m, k]ᵀ. */
    public static void forward(Parallel pool, float[] out, int outOff, float[] inp, int inOff, float[] w, int wOff,
                               int n, int k, int m) {
        if (n <= DOT_ROWS) {
            dots(pool, out, outOff, inp, inOff, w, wOff, n, k, m);
        } else {
            Gemm.multiply(pool, false, n, m, k, inp, inOff, k, false, w, wOff, k, true, out, outOff, m);
        }
    }

    /** dinp[n, k] += dout[n, m] · w[m, k]. */
    public static void backwardInput(Parallel pool, float[] dinp, int dinpOff, float[] dout, int doutOff, float[] w,
                                     int wOff, int n, int k, int m) {
        Gemm.multiply(pool, true, n, k, m, dout, doutOff, m, false, w, wOff, k, false, dinp, dinpOff, k);
    }

    /** dw[m, k] += dout[n, m]ᵀ · inp[n, k]. */
    public static void backwardWeight(Parallel pool, float[] dw, int dwOff, float[] dout, int doutOff, float[] inp,
                                      int inOff, int n, int k, int m) {
        Gemm.multiply(pool, true, m, k, n, dout, doutOff, m, true, inp, inOff, k, false, dw, dwOff, k);
    }

    /**
     * Few rows: every output is a dot product of an input row with a weight row. Memory-bound on the weights, so
     * each weight row is read once: four rows at a time (four independent FMA chains) against every input row
     * while they sit in L1; threads split the weight rows.
     */
    private static void dots(Parallel pool, float[] out, int outOff, float[] inp, int inOff, float[] w, int wOff,
                             int n, int k, int m) {
        pool.forRange(m, (start, end) -> {
            int j = start;
            for (; j + 4 <= end; j += 4) {
                int w0 = wOff + j * k;
                for (int i = 0; i < n; i++) {
                    dot4(out, outOff + i * m + j, inp, inOff + i * k, w, w0, k);
                }
            }
            for (; j < end; j++) {
                for (int i = 0; i < n; i++) {
                    out[outOff + i * m + j] = dot(inp, inOff + i * k, w, wOff + j * k, k);
                }
            }
        });
    }

    private static void dot4(float[] out, int o, float[] x, int xOff, float[] w, int w0, int k) {
        var sp = Gemm.SP;
        int l = Gemm.L;
        int w1 = w0 + k;
        int w2 = w1 + k;
        int w3 = w2 + k;
        FloatVector s0 = FloatVector.zero(sp);
        FloatVector s1 = FloatVector.zero(sp);
        FloatVector s2 = FloatVector.zero(sp);
        FloatVector s3 = FloatVector.zero(sp);
        int p = 0;
        for (int bound = sp.loopBound(k); p < bound; p += l) {
            FloatVector v = FloatVector.fromArray(sp, x, xOff + p);
            s0 = v.fma(FloatVector.fromArray(sp, w, w0 + p), s0);
            s1 = v.fma(FloatVector.fromArray(sp, w, w1 + p), s1);
            s2 = v.fma(FloatVector.fromArray(sp, w, w2 + p), s2);
            s3 = v.fma(FloatVector.fromArray(sp, w, w3 + p), s3);
        }
        if (p < k) {
            VectorMask<Float> mask = sp.indexInRange(p, k);
            FloatVector v = FloatVector.fromArray(sp, x, xOff + p, mask);
            s0 = v.fma(FloatVector.fromArray(sp, w, w0 + p, mask), s0);
            s1 = v.fma(FloatVector.fromArray(sp, w, w1 + p, mask), s1);
            s2 = v.fma(FloatVector.fromArray(sp, w, w2 + p, mask), s2);
            s3 = v.fma(FloatVector.fromArray(sp, w, w3 + p, mask), s3);
        }
        out[o] = s0.reduceLanes(VectorOperators.ADD);
        out[o + 1] = s1.reduceLanes(VectorOperators.ADD);
        out[o + 2] = s2.reduceLanes(VectorOperators.ADD);
        out[o + 3] = s3.reduceLanes(VectorOperators.ADD);
    }

    private static float dot(float[] x, int xOff, float[] w, int wOff, int k) {
        var sp = Gemm.SP;
        FloatVector s = FloatVector.zero(sp);
        int p = 0;
        for (int bound = sp.loopBound(k); p < bound; p += Gemm.L) {
            s = FloatVector.fromArray(sp, x, xOff + p).fma(FloatVector.fromArray(sp, w, wOff + p), s);
        }
        if (p < k) {
            VectorMask<Float> mask = sp.indexInRange(p, k);
            s = FloatVector.fromArray(sp, x, xOff + p, mask).fma(FloatVector.fromArray(sp, w, wOff + p, mask), s);
        }
        return s.reduceLanes(VectorOperators.ADD);
    }
}
