package dev.jchat.model.cpu;

import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Element-wise work over flat float arrays (fill, copy, add, scale, Σx²) and the vector helpers the other kernels
 * share: a deterministic lane sum and a vectorised exp.
 *
 * <p>Why our own exp and lane sum: the Vector API leaves the order of a floating-point {@code reduceLanes(ADD)} open
 * and lets {@code EXP} be off by an ulp, so its intrinsic and its Java fallback need not agree to the last bit, and the
 * same call could give a different result before and after the JIT compiles it. Built from IEEE-exact lane
 * operations (fma, add, multiply, bit shifts) in a fixed order, these two are bit-for-bit reproducible in every mode.
 */
final class Vectors {

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int LANES = F.length();

    /** Below this many elements an element-wise op runs on the calling thread: waking the pool costs more. */
    static final int PARALLEL_MIN = 1 << 15;

    /** Σx² is summed over fixed blocks of this size, so its result does not depend on the thread count. */
    private static final int SUM_BLOCK = 1 << 14;

    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    /** Floats converted to doubles lane for lane: half the bit width of {@link #D}. */
    private static final VectorSpecies<Float> F_HALF =
            VectorSpecies.of(float.class, VectorShape.forBitSize(D.vectorBitSize() / 2));

    private Vectors() {}

    static void fill(Parallel pool, float[] a, int off, int n, float value) {
        run(pool, n, (start, end) -> Arrays.fill(a, off + start, off + end, value));
    }

    static void copy(Parallel pool, float[] dst, int dstOff, float[] src, int srcOff, int n) {
        run(pool, n, (start, end) -> System.arraycopy(src, srcOff + start, dst, dstOff + start, end - start));
    }

    /** acc[i] += x[i]. */
    static void add(Parallel pool, float[] acc, int accOff, float[] x, int xOff, int n) {
        addScaled(pool, acc, accOff, x, xOff, n, 1f);
    }

    /** acc[i] += factor · x[i]. */
    static void addScaled(Parallel pool, float[] acc, int accOff, float[] x, int xOff, int n, float factor) {
        FloatVector scale = FloatVector.broadcast(F, factor);
        run(pool, n, (start, end) -> {
            int i = start;
            for (int upper = start + F.loopBound(end - start); i < upper; i += LANES) {
                FloatVector.fromArray(F, x, xOff + i).fma(scale, FloatVector.fromArray(F, acc, accOff + i))
                        .intoArray(acc, accOff + i);
            }
            for (; i < end; i++) {
                acc[accOff + i] += factor * x[xOff + i];
            }
        });
    }

    /** a[i] *= factor. */
    static void scale(Parallel pool, float[] a, int off, int n, float factor) {
        run(pool, n, (start, end) -> {
            int i = start;
            for (int upper = start + F.loopBound(end - start); i < upper; i += LANES) {
                FloatVector.fromArray(F, a, off + i).mul(factor).intoArray(a, off + i);
            }
            for (; i < end; i++) {
                a[off + i] *= factor;
            }
        });
    }

    /**
     * Σ a[i]², each square widened to double before it is added. Blocks of {@link #SUM_BLOCK} are summed in parallel
     * into {@code partials} (grown if short) and the partials added in block order: the result is the same for any
     * thread count and every run.
     */
    static double sumOfSquares(Parallel pool, float[] a, int off, int n, double[] partials) {
        int blocks = (n + SUM_BLOCK - 1) / SUM_BLOCK;
        Parallel.RangeBody body = (start, end) -> {
            for (int blk = start; blk < end; blk++) {
                partials[blk] = sumOfSquaresBlock(a, off + blk * SUM_BLOCK, off + Math.min(n, (blk + 1) * SUM_BLOCK));
            }
        };
        if (n < PARALLEL_MIN) {
            body.run(0, blocks);
        } else {
            pool.forRange(blocks, body);
        }
        double sum = 0;
        for (int blk = 0; blk < blocks; blk++) {
            sum += partials[blk];
        }
        return sum;
    }

    /** How many partial sums {@link #sumOfSquares} needs for {@code n} elements. */
    static int sumOfSquaresPartials(int n) {
        return (n + SUM_BLOCK - 1) / SUM_BLOCK;
    }

    private static double sumOfSquaresBlock(float[] a, int from, int to) {
        DoubleVector acc = DoubleVector.zero(D);
        int i = from;
        for (int upper = from + F_HALF.loopBound(to - from); i < upper; i += F_HALF.length()) {
            DoubleVector x = (DoubleVector) FloatVector.fromArray(F_HALF, a, i).convertShape(VectorOperators.F2D, D, 0);
            acc = x.fma(x, acc);
        }
        double sum = 0;
        for (int lane = 0; lane < D.length(); lane++) {
            sum += acc.lane(lane);
        }
        for (; i < to; i++) {
            sum += (double) a[i] * a[i];
        }
        return sum;
    }

    /**
     * The sum of lanes[0 .. LANES) as a fixed pairwise tree, in place: deterministic, unlike reduceLanes(ADD), and
     * short in latency. Callers store a vector with {@code intoArray(lanes, 0)} first; the vector is not passed in,
     * because a vector argument to a call the JIT does not inline is boxed on the heap.
     */
    static float sumLanes(float[] lanes) {
        for (int width = LANES / 2; width > 0; width /= 2) {
            for (int i = 0; i < width; i++) {
                lanes[i] += lanes[i + width];
            }
        }
        return lanes[0];
    }

    /** Σ a[ao + i]·b[bo + i] for i in [0, n), vectorised, in a fixed order. */
    static float dot(float[] a, int ao, float[] b, int bo, int n, float[] lanes) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int upper = F.loopBound(n); i < upper; i += LANES) {
            acc = FloatVector.fromArray(F, a, ao + i).fma(FloatVector.fromArray(F, b, bo + i), acc);
        }
        acc.intoArray(lanes, 0);
        float s = sumLanes(lanes);
        for (; i < n; i++) {
            s += a[ao + i] * b[bo + i];
        }
        return s;
    }

    /** y[yo + i] += alpha·x[xo + i] for i in [0, n). */
    static void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        if (n >= LANES) {
            FloatVector a = FloatVector.broadcast(F, alpha);
            for (int upper = F.loopBound(n); i < upper; i += LANES) {
                a.fma(FloatVector.fromArray(F, x, xo + i), FloatVector.fromArray(F, y, yo + i)).intoArray(y, yo + i);
            }
        }
        for (; i < n; i++) {
            y[yo + i] += alpha * x[xo + i];
        }
    }

    /** a[off + i] *= f for i in [0, n), on the calling thread. */
    static void scaleRow(float[] a, int off, int n, float f) {
        int i = 0;
        for (int upper = F.loopBound(n); i < upper; i += LANES) {
            FloatVector.fromArray(F, a, off + i).mul(f).intoArray(a, off + i);
        }
        for (; i < n; i++) {
            a[off + i] *= f;
        }
    }

    // exp(x) = 2^k · exp(r), k = round(x·log2(e)), r = x − k·ln 2 in two steps (Cody–Waite) so r keeps its precision;
    // exp(r) on |r| ≤ ln2/2 by Cephes' expf polynomial (about 1 ulp). Inputs are clamped to [-87.3, 88], where 2^k is
    // a normal float; below that (exp(-inf) included) the result is 0, as softmax needs. NaN stays NaN.
    private static final float EXP_HI = 88f;
    private static final float EXP_LO = -87.33654f;
    private static final float LOG2E = 1.44269504088896341f;
    /** Adding and subtracting 1.5·2²³ rounds a float of magnitude below 2²² to the nearest integer. */
    private static final float ROUND = 12582912f;
    private static final int ROUND_BITS = Float.floatToRawIntBits(ROUND);
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float P0 = 1.9875691500e-4f;
    private static final float P1 = 1.3981999507e-3f;
    private static final float P2 = 8.3334519073e-3f;
    private static final float P3 = 4.1665795894e-2f;
    private static final float P4 = 1.6666665459e-1f;
    private static final float P5 = 5.0000001201e-1f;

    /**
     * e^x per lane. The clamps are blends (Java's max and min cost a NaN-aware sequence each), and 2^k is built from
     * the bits of k + 1.5·2²³ (k sits in the low mantissa bits) rather than by a float-to-int conversion with its
     * saturation fix-up: half the time of the plain formulation, same bits.
     */
    static FloatVector exp(FloatVector x) {
        var underflow = x.lt(EXP_LO);
        x = x.blend(EXP_LO, underflow);
        x = x.blend(EXP_HI, x.compare(VectorOperators.GT, EXP_HI));
        FloatVector kr = x.mul(LOG2E).add(ROUND);
        FloatVector k = kr.sub(ROUND);
        FloatVector r = k.fma(FloatVector.broadcast(F, -LN2_HI), x).sub(k.mul(LN2_LO));
        FloatVector y = r.fma(P0, P1)
                .fma(r, FloatVector.broadcast(F, P2))
                .fma(r, FloatVector.broadcast(F, P3))
                .fma(r, FloatVector.broadcast(F, P4))
                .fma(r, FloatVector.broadcast(F, P5))
                .fma(r.mul(r), r)
                .add(1f);
        IntVector bits = ((IntVector) kr.reinterpretAsInts()).sub(ROUND_BITS - 127).lanewise(VectorOperators.LSHL, 23);
        return y.mul(bits.reinterpretAsFloats()).blend(0f, underflow);
    }

    /** The scalar twin of {@link #exp(FloatVector)}, bit for bit, for loop tails. */
    static float exp(float x) {
        if (x < EXP_LO) {
            return 0f;
        }
        x = Math.min(x, EXP_HI);
        float k = x * LOG2E + ROUND - ROUND;
        float r = Math.fma(k, -LN2_HI, x) - k * LN2_LO;
        float y = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(r, P0, P1), r, P2), r, P3), r, P4), r, P5);
        y = Math.fma(y, r * r, r) + 1f;
        return y * Float.intBitsToFloat(((int) k + 127) << 23);
    }

    /** Runs body over [0, n) on the pool, or on the calling thread when n is below {@link #PARALLEL_MIN}. */
    static void run(Parallel pool, int n, Parallel.RangeBody body) {
        if (n < PARALLEL_MIN) {
            body.run(0, n);
        } else {
            pool.forRange(n, body);
        }
    }
}
