package dev.jchat.model.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Matrix products of a linear layer on float arrays (row-major, weights [out, in] as HF stores them): n rows of
 * k inputs, m outputs. Each is one packed GEMM ({@link Gemm}) on the operands in place, some packed transposed:
 * <pre>
 * forward          out[n, m]   = inp[n, k] · w[m, k]ᵀ      GEMM n × m, depth k (w packed transposed)
 *   n &lt; m/2:       out[n, m]ᵀ  = w[m, k] · inp[n, k]ᵀ      GEMM m × n, depth k (inp transposed, out stored so)
 * backwardInput    dinp[n, k] =  dout[n, m] · w[m, k]       GEMM n × k, depth m
 * backwardWeight   dw[m, k]   += dout[n, m]ᵀ · inp[n, k]    GEMM m × k, depth n (dout packed transposed)
 * </pre>
 * Training calls them with n = 2048 token rows (k, m between 256 and 2048). The LM head comes in row chunks of
 * 128..512 against m = 8192, where transposing the chunk and the output tiles instead of the 8192-row weight is
 * 15–30% faster. Decode calls forward with a handful of rows, which takes dot products instead.
 */
public final class Matmul {

    /** Up to this many rows, forward is a set of dot products (decode), not a packed GEMM. */
    static final int DOT_ROWS = 8;

    private Matmul() {}

    /** out[n, m] = inp[n, k] · w[m, k]ᵀ. */
    public static void forward(Parallel pool, float[] out, int outOff, float[] inp, int inOff, float[] w, int wOff,
                               int n, int k, int m) {
        if (n <= DOT_ROWS) {
            dots(pool, out, outOff, inp, inOff, w, wOff, n, k, m);
        } else if (2 * n < m) {
            Gemm.multiply(pool, false, m, n, k, w, wOff, k, false, inp, inOff, k, true, out, outOff, m, true);
        } else {
            Gemm.multiply(pool, false, n, m, k, inp, inOff, k, false, w, wOff, k, true, out, outOff, m, false);
        }
    }

    /** dinp[n, k] = dout[n, m] · w[m, k]. */
    public static void backwardInput(Parallel pool, float[] dinp, int dinpOff, float[] dout, int doutOff, float[] w,
                                     int wOff, int n, int k, int m) {
        Gemm.multiply(pool, false, n, k, m, dout, doutOff, m, false, w, wOff, k, false, dinp, dinpOff, k, false);
    }

    /** dw[m, k] += dout[n, m]ᵀ · inp[n, k]. */
    public static void backwardWeight(Parallel pool, float[] dw, int dwOff, float[] dout, int doutOff, float[] inp,
                                      int inOff, int n, int k, int m) {
        Gemm.multiply(pool, true, m, k, n, dout, doutOff, m, true, inp, inOff, k, false, dw, dwOff, k, false);
    }

    /**
     * Few rows: every output is a dot product of an input row with a weight row. Memory-bound on the weights, so
     * each weight row is read from memory once: four weight rows at a time, against one input row (four FMA
     * chains) or against four (sixteen chains, every weight vector loaded once for four rows; a group of fewer than
     * four repeats its last row and drops those outputs) while the four weight rows sit in L1. Threads split the
     * weight rows. Beyond {@link #DOT_ROWS} rows the packed GEMM is faster (measured crossover 8..12 rows).
     */
    private static void dots(Parallel pool, float[] out, int outOff, float[] inp, int inOff, float[] w, int wOff,
                             int n, int k, int m) {
        pool.forRange(m, (start, end) -> {
            int j = start;
            for (; j + 4 <= end; j += 4) {
                int w0 = wOff + j * k;
                if (n == 1) {
                    dot4(out, outOff + j, inp, inOff, w, w0, k);
                    continue;
                }
                for (int i = 0; i < n; i += 4) {
                    dot4x4(out, outOff + i * m + j, m, Math.min(4, n - i), inp, inOff + i * k, w, w0, k);
                }
            }
            for (; j < end; j++) {
                for (int i = 0; i < n; i++) {
                    out[outOff + i * m + j] = dot(inp, inOff + i * k, w, wOff + j * k, k);
                }
            }
        });
    }

    /** out[0..3] = input row x · weight rows w0 + q·k. */
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

    /** out[r, 0..3] for r < rows (row stride ldo) = input rows x0 + r·k · weight rows w0 + q·k. */
    private static void dot4x4(float[] out, int o, int ldo, int rows, float[] x, int x0, float[] w, int w0, int k) {
        var sp = Gemm.SP;
        int l = Gemm.L;
        int x1 = x0 + Math.min(1, rows - 1) * k;
        int x2 = x0 + Math.min(2, rows - 1) * k;
        int x3 = x0 + Math.min(3, rows - 1) * k;
        int w1 = w0 + k;
        int w2 = w1 + k;
        int w3 = w2 + k;
        FloatVector s00 = FloatVector.zero(sp);
        FloatVector s01 = FloatVector.zero(sp);
        FloatVector s02 = FloatVector.zero(sp);
        FloatVector s03 = FloatVector.zero(sp);
        FloatVector s10 = FloatVector.zero(sp);
        FloatVector s11 = FloatVector.zero(sp);
        FloatVector s12 = FloatVector.zero(sp);
        FloatVector s13 = FloatVector.zero(sp);
        FloatVector s20 = FloatVector.zero(sp);
        FloatVector s21 = FloatVector.zero(sp);
        FloatVector s22 = FloatVector.zero(sp);
        FloatVector s23 = FloatVector.zero(sp);
        FloatVector s30 = FloatVector.zero(sp);
        FloatVector s31 = FloatVector.zero(sp);
        FloatVector s32 = FloatVector.zero(sp);
        FloatVector s33 = FloatVector.zero(sp);
        int p = 0;
        for (int bound = sp.loopBound(k); p < bound; p += l) {
            FloatVector v0 = FloatVector.fromArray(sp, w, w0 + p);
            FloatVector v1 = FloatVector.fromArray(sp, w, w1 + p);
            FloatVector v2 = FloatVector.fromArray(sp, w, w2 + p);
            FloatVector v3 = FloatVector.fromArray(sp, w, w3 + p);
            FloatVector u0 = FloatVector.fromArray(sp, x, x0 + p);
            s00 = u0.fma(v0, s00);
            s01 = u0.fma(v1, s01);
            s02 = u0.fma(v2, s02);
            s03 = u0.fma(v3, s03);
            FloatVector u1 = FloatVector.fromArray(sp, x, x1 + p);
            s10 = u1.fma(v0, s10);
            s11 = u1.fma(v1, s11);
            s12 = u1.fma(v2, s12);
            s13 = u1.fma(v3, s13);
            FloatVector u2 = FloatVector.fromArray(sp, x, x2 + p);
            s20 = u2.fma(v0, s20);
            s21 = u2.fma(v1, s21);
            s22 = u2.fma(v2, s22);
            s23 = u2.fma(v3, s23);
            FloatVector u3 = FloatVector.fromArray(sp, x, x3 + p);
            s30 = u3.fma(v0, s30);
            s31 = u3.fma(v1, s31);
            s32 = u3.fma(v2, s32);
            s33 = u3.fma(v3, s33);
        }
        if (p < k) {
            VectorMask<Float> mask = sp.indexInRange(p, k);
            FloatVector v0 = FloatVector.fromArray(sp, w, w0 + p, mask);
            FloatVector v1 = FloatVector.fromArray(sp, w, w1 + p, mask);
            FloatVector v2 = FloatVector.fromArray(sp, w, w2 + p, mask);
            FloatVector v3 = FloatVector.fromArray(sp, w, w3 + p, mask);
            FloatVector u0 = FloatVector.fromArray(sp, x, x0 + p, mask);
            s00 = u0.fma(v0, s00);
            s01 = u0.fma(v1, s01);
            s02 = u0.fma(v2, s02);
            s03 = u0.fma(v3, s03);
            FloatVector u1 = FloatVector.fromArray(sp, x, x1 + p, mask);
            s10 = u1.fma(v0, s10);
            s11 = u1.fma(v1, s11);
            s12 = u1.fma(v2, s12);
            s13 = u1.fma(v3, s13);
            FloatVector u2 = FloatVector.fromArray(sp, x, x2 + p, mask);
            s20 = u2.fma(v0, s20);
            s21 = u2.fma(v1, s21);
            s22 = u2.fma(v2, s22);
            s23 = u2.fma(v3, s23);
            FloatVector u3 = FloatVector.fromArray(sp, x, x3 + p, mask);
            s30 = u3.fma(v0, s30);
            s31 = u3.fma(v1, s31);
            s32 = u3.fma(v2, s32);
            s33 = u3.fma(v3, s33);
        }
        out[o] = s00.reduceLanes(VectorOperators.ADD);
        out[o + 1] = s01.reduceLanes(VectorOperators.ADD);
        out[o + 2] = s02.reduceLanes(VectorOperators.ADD);
        out[o + 3] = s03.reduceLanes(VectorOperators.ADD);
        if (rows > 1) {
            int o1 = o + ldo;
            out[o1] = s10.reduceLanes(VectorOperators.ADD);
            out[o1 + 1] = s11.reduceLanes(VectorOperators.ADD);
            out[o1 + 2] = s12.reduceLanes(VectorOperators.ADD);
            out[o1 + 3] = s13.reduceLanes(VectorOperators.ADD);
        }
        if (rows > 2) {
            int o2 = o + 2 * ldo;
            out[o2] = s20.reduceLanes(VectorOperators.ADD);
            out[o2 + 1] = s21.reduceLanes(VectorOperators.ADD);
            out[o2 + 2] = s22.reduceLanes(VectorOperators.ADD);
            out[o2 + 3] = s23.reduceLanes(VectorOperators.ADD);
        }
        if (rows > 3) {
            int o3 = o + 3 * ldo;
            out[o3] = s30.reduceLanes(VectorOperators.ADD);
            out[o3 + 1] = s31.reduceLanes(VectorOperators.ADD);
            out[o3 + 2] = s32.reduceLanes(VectorOperators.ADD);
            out[o3 + 3] = s33.reduceLanes(VectorOperators.ADD);
        }
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
