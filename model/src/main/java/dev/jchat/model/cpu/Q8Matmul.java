package dev.jchat.model.cpu;

import dev.jchat.model.backend.QuantizedMatrix;
import dev.jchat.model.gguf.Q8Blocks;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code out[n, m] = inp[n, k] · w[m, k]ᵀ} with {@code w} in Q8_0 (value = scale · byte, 32 values per scale), for
 * inference. Decode is bound by reading the weights, and Q8_0 is about a quarter of the bytes of f32, so the kernel
 * reads the int8 quants themselves and converts them to float in registers: per block of 32, two 16-byte loads,
 * sign-extend and convert (vpmovsxbd, vcvtdq2ps), FMA against the float activations, then one FMA of the block's
 * partial sums with its scale. Activations stay float, so the only rounding beyond f32 arithmetic is the weights'
 * own. llama.cpp quantises the activations to Q8_0 too and multiplies int8 by int8 (VNNI); the Vector API has no int8
 * dot-product instruction, and the same kernel with int8 activations (widen to int16, multiply, add pairs with shifts,
 * convert the block's int sum) measured no faster here (27–28 against 30–31 GMAC/s on one core, L2-resident; other
 * arrangements tried: scales folded into the activations, bytes unpacked by shifts from an int layout: no faster).
 *
 * <p>Up to {@link Matmul#DOT_ROWS} rows this is a set of dot products, four weight rows at a time (each block of quants
 * read once, converted once and used for up to four input rows), split over the pool by weight rows. More rows
 * (prefill) are compute-bound: there the matrix is dequantised, in parallel, into a float buffer that the packed
 * GEMM then multiplies, which costs one pass over the weights but keeps the GEMM's speed.
 */
final class Q8Matmul {

    /**
     * The CPU's Q8_0 matrix: the 32 quants of each block, and its F16 scale widened to float (exactly), stored by
     * {@link #slot}: the blocks of each group of four rows interleaved (block 0 of rows 0..3, block 1 of rows 0..3,
     * ...), so that the decode kernel, which works on four rows at once, reads one sequential stream of 128 bytes per
     * step instead of four streams (the matmuls of a config S token 1.5–1.6× faster on one thread, config M 1.7× on
     * two, than row-major); rows past the last group of four follow row-major.
     */
    record Matrix(int rows, int cols, byte[] quants, float[] scales) implements QuantizedMatrix {}

    private static final VectorSpecies<Float> F = Vectors.F;
    private static final int L = F.length();
    /** Bytes that widen to one float vector. */
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8));
    private static final int BLOCK = Q8Blocks.BLOCK;

    private final Parallel pool;
    private float[] dequantized = new float[0];

    Q8Matmul(Parallel pool) {
        if (BLOCK % L != 0) {
            throw new IllegalStateException(L + " float lanes do not divide a Q8_0 block of " + BLOCK);
        }
        this.pool = pool;
    }

    /** Where block {@code b} of row {@code r} is stored: its quants at 32 · slot, its scale at slot. */
    private static int slot(int r, int b, int rows, int blocks) {
        return r < rows / 4 * 4 ? ((r / 4 * blocks + b) * 4 + r % 4) : r * blocks + b;
    }

    static Matrix of(Q8Blocks blocks) {
        int rows = blocks.rows();
        int perRow = blocks.cols() / BLOCK;
        byte[] data = blocks.data();
        byte[] quants = new byte[Math.toIntExact((long) rows * blocks.cols())];
        float[] scales = new float[quants.length / BLOCK];
        for (int r = 0, g = 0; r < rows; r++) {
            for (int b = 0; b < perRow; b++, g++) {
                int slot = slot(r, b, rows, perRow);
                scales[slot] = blocks.scale(g);
                System.arraycopy(data, g * Q8Blocks.BLOCK_BYTES + 2, quants, slot * BLOCK, BLOCK);
            }
        }
        return new Matrix(rows, blocks.cols(), quants, scales);
    }

    /** The ggml bytes back: a scale that came from F16 converts back to the same F16 exactly. */
    static Q8Blocks blocks(Matrix m) {
        byte[] data = new byte[m.scales.length * Q8Blocks.BLOCK_BYTES];
        int perRow = m.cols / BLOCK;
        for (int r = 0, g = 0; r < m.rows; r++) {
            for (int b = 0; b < perRow; b++, g++) {
                int slot = slot(r, b, m.rows, perRow);
                short half = Float.floatToFloat16(m.scales[slot]);
                data[g * Q8Blocks.BLOCK_BYTES] = (byte) half;
                data[g * Q8Blocks.BLOCK_BYTES + 1] = (byte) (half >> 8);
                System.arraycopy(m.quants, slot * BLOCK, data, g * Q8Blocks.BLOCK_BYTES + 2, BLOCK);
            }
        }
        return new Q8Blocks(m.rows, m.cols, data);
    }

    void forward(float[] out, int outOff, float[] inp, int inOff, Matrix w, int n) {
        int k = w.cols;
        int m = w.rows;
        if (n > Matmul.DOT_ROWS) {
            int size = Math.toIntExact((long) m * k);
            if (dequantized.length < size) {
                dequantized = new float[size];
            }
            float[] dense = dequantized;
            pool.forRange(m, (start, end) -> dequantize(w, start, end, dense));
            Matmul.forward(pool, out, outOff, inp, inOff, dense, 0, n, k, m);
            return;
        }
        // shares of whole groups of four weight rows; the last share takes the rest
        int groups = m / 4;
        pool.forRange(Math.max(1, groups), (start, end) -> {
            int to = end == Math.max(1, groups) ? m : 4 * end;
            int j = 4 * start;
            for (; j + 4 <= to; j += 4) {
                for (int i = 0; i < n; i += 4) {
                    dot4(out, outOff + i * m + j, m, Math.min(4, n - i), inp, inOff + i * k, w, j);
                }
            }
            for (; j < to; j++) {
                for (int i = 0; i < n; i++) {
                    out[outOff + i * m + j] = dot(inp, inOff + i * k, w, j);
                }
            }
        });
    }

    /** Rows {@code [start, end)} of the matrix as floats into {@code dst}, row-major. */
    private static void dequantize(Matrix w, int start, int end, float[] dst) {
        int k = w.cols;
        int blocks = k / BLOCK;
        for (int r = start; r < end; r++) {
            for (int b = 0; b < blocks; b++) {
                int slot = slot(r, b, w.rows, blocks);
                FloatVector scale = FloatVector.broadcast(F, w.scales[slot]);
                for (int s = 0; s < BLOCK; s += L) {
                    widen(w.quants, slot * BLOCK + s).mul(scale).intoArray(dst, r * k + b * BLOCK + s);
                }
            }
        }
    }

    private static FloatVector widen(byte[] quants, int at) {
        return (FloatVector) ByteVector.fromArray(B, quants, at).convertShape(VectorOperators.B2F, F, 0);
    }

    /**
     * {@code out[r, 0..3]} for {@code r < rows} (row stride {@code ldo}) = input rows {@code x0 + r·k} · weight rows
     * {@code j .. j+3}. With fewer than four input rows the missing ones repeat the last and their sums are dropped;
     * at decode (one row) the three extra chains cost FMAs the memory-bound loop has to spare only partly, so one row
     * takes {@link #dot4x1}.
     */
    private static void dot4(float[] out, int o, int ldo, int rows, float[] x, int x0, Matrix w, int j) {
        if (rows == 1) {
            dot4x1(out, o, x, x0, w, j);
            return;
        }
        int k = w.cols;
        int x1 = x0 + Math.min(1, rows - 1) * k;
        int x2 = x0 + Math.min(2, rows - 1) * k;
        int x3 = x0 + Math.min(3, rows - 1) * k;
        byte[] q = w.quants;
        float[] sc = w.scales;
        int blocks = k / BLOCK;
        int b0 = j * blocks;
        // the weights are scaled as they are widened (one multiply per weight vector, shared by four input rows),
        // so sixteen accumulators suffice and no per-block partial sums take registers
        FloatVector s00 = FloatVector.zero(F), s01 = s00, s02 = s00, s03 = s00;
        FloatVector s10 = s00, s11 = s00, s12 = s00, s13 = s00;
        FloatVector s20 = s00, s21 = s00, s22 = s00, s23 = s00;
        FloatVector s30 = s00, s31 = s00, s32 = s00, s33 = s00;
        for (int b = 0; b < blocks; b++) {
            int slot = b0 + 4 * b;
            FloatVector d0 = FloatVector.broadcast(F, sc[slot]);
            FloatVector d1 = FloatVector.broadcast(F, sc[slot + 1]);
            FloatVector d2 = FloatVector.broadcast(F, sc[slot + 2]);
            FloatVector d3 = FloatVector.broadcast(F, sc[slot + 3]);
            for (int s = 0; s < BLOCK; s += L) {
                int p = b * BLOCK + s;
                int at = slot * BLOCK + s;
                FloatVector v0 = widen(q, at).mul(d0);
                FloatVector v1 = widen(q, at + BLOCK).mul(d1);
                FloatVector v2 = widen(q, at + 2 * BLOCK).mul(d2);
                FloatVector v3 = widen(q, at + 3 * BLOCK).mul(d3);
                FloatVector u = FloatVector.fromArray(F, x, x0 + p);
                s00 = u.fma(v0, s00);
                s01 = u.fma(v1, s01);
                s02 = u.fma(v2, s02);
                s03 = u.fma(v3, s03);
                u = FloatVector.fromArray(F, x, x1 + p);
                s10 = u.fma(v0, s10);
                s11 = u.fma(v1, s11);
                s12 = u.fma(v2, s12);
                s13 = u.fma(v3, s13);
                u = FloatVector.fromArray(F, x, x2 + p);
                s20 = u.fma(v0, s20);
                s21 = u.fma(v1, s21);
                s22 = u.fma(v2, s22);
                s23 = u.fma(v3, s23);
                u = FloatVector.fromArray(F, x, x3 + p);
                s30 = u.fma(v0, s30);
                s31 = u.fma(v1, s31);
                s32 = u.fma(v2, s32);
                s33 = u.fma(v3, s33);
            }
        }
        store4(out, o, s00, s01, s02, s03);
        if (rows > 1) {
            store4(out, o + ldo, s10, s11, s12, s13);
        }
        if (rows > 2) {
            store4(out, o + 2 * ldo, s20, s21, s22, s23);
        }
        if (rows > 3) {
            store4(out, o + 3 * ldo, s30, s31, s32, s33);
        }
    }

    private static void store4(float[] out, int o, FloatVector a0, FloatVector a1, FloatVector a2, FloatVector a3) {
        out[o] = a0.reduceLanes(VectorOperators.ADD);
        out[o + 1] = a1.reduceLanes(VectorOperators.ADD);
        out[o + 2] = a2.reduceLanes(VectorOperators.ADD);
        out[o + 3] = a3.reduceLanes(VectorOperators.ADD);
    }

    /** {@code out[0..3]} = input row {@code x0} · weight rows {@code j .. j+3}: the decode kernel. */
    private static void dot4x1(float[] out, int o, float[] x, int x0, Matrix w, int j) {
        int k = w.cols;
        byte[] q = w.quants;
        float[] sc = w.scales;
        int blocks = k / BLOCK;
        int b0 = j * blocks;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < blocks; b++) {
            int slot = b0 + 4 * b;
            FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
            for (int s = 0; s < BLOCK; s += L) {
                FloatVector u = FloatVector.fromArray(F, x, x0 + b * BLOCK + s);
                int at = slot * BLOCK + s;
                s0 = u.fma(widen(q, at), s0);
                s1 = u.fma(widen(q, at + BLOCK), s1);
                s2 = u.fma(widen(q, at + 2 * BLOCK), s2);
                s3 = u.fma(widen(q, at + 3 * BLOCK), s3);
            }
            a0 = s0.fma(FloatVector.broadcast(F, sc[slot]), a0);
            a1 = s1.fma(FloatVector.broadcast(F, sc[slot + 1]), a1);
            a2 = s2.fma(FloatVector.broadcast(F, sc[slot + 2]), a2);
            a3 = s3.fma(FloatVector.broadcast(F, sc[slot + 3]), a3);
        }
        store4(out, o, a0, a1, a2, a3);
    }

    /** Input row {@code x0} · weight row {@code j}, a row past the last group of four (stored row-major). */
    private static float dot(float[] x, int x0, Matrix w, int j) {
        int k = w.cols;
        int blocks = k / BLOCK;
        FloatVector a = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            int slot = slot(j, b, w.rows, blocks);
            FloatVector s = FloatVector.zero(F);
            for (int v = 0; v < BLOCK; v += L) {
                s = FloatVector.fromArray(F, x, x0 + b * BLOCK + v).fma(widen(w.quants, slot * BLOCK + v), s);
            }
            a = s.fma(FloatVector.broadcast(F, w.scales[slot]), a);
        }
        return a.reduceLanes(VectorOperators.ADD);
    }
}
