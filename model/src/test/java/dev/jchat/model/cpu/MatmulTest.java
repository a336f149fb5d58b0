package dev.jchat.model.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The three products against a double-precision loop, on shapes that hit every edge of the blocked kernel: row and
 * column tails of the micro-tile, several K blocks (and K blocks of uneven length), more rows than one row block,
 * more columns than one column block, the dot-product path for few rows, zero sizes, operands at non-zero offsets
 * inside larger arrays (whose other elements must stay untouched), and 1, 2 and 3 threads.
 */
class MatmulTest {

    /** fp32 error of a sum relative to the sum of the magnitudes of its terms; a lost term is ~1/k of that. */
    private static final double TOLERANCE = 2e-6;

    private static final int GUARD = 37;
    private static final float SENTINEL = 1234.5f;

    private static Parallel one;
    private static Parallel two;
    private static Parallel three;

    @BeforeAll
    static void pools() {
        one = new Parallel(1);
        two = new Parallel(2);
        three = new Parallel(3);
        // Vector API code runs orders of magnitude slower before C2 compiles it: many small products get the
        // kernels compiled before the large shapes run (seconds otherwise).
        float[] x = new float[32 * 32];
        float[] w = new float[32 * 32];
        float[] y = new float[32 * 32];
        for (int i = 0; i < 500; i++) {
            Matmul.forward(one, y, 0, x, 0, w, 0, 24, 32, 32);
            Matmul.backwardInput(one, x, 0, y, 0, w, 0, 24, 32, 32);
            Matmul.backwardWeight(one, w, 0, y, 0, x, 0, 24, 32, 32);
        }
    }

    @AfterAll
    static void closePools() {
        one.close();
        two.close();
        three.close();
    }

    static Stream<Arguments> shapes() {
        int[][] nkm = {
            {1, 1, 1}, {2, 5, 3}, {3, 16, 32}, {4, 17, 33}, {1, 384, 1152}, {4, 1000, 9},
            {5, 3, 2}, {7, 13, 19}, {8, 40, 21}, {9, 40, 21}, {12, 32, 32}, {13, 33, 31}, {24, 64, 64}, {11, 31, 65},
            {64, 300, 40}, {25, 600, 70}, {150, 30, 40}, {40, 20, 2100}, {3000, 7, 5},
            {300, 517, 263}, {97, 256, 129}, {510, 20, 30}, {1100, 17, 40},
            {10, 2000, 30}, {64, 600, 200},
        };
        List<Arguments> cases = new ArrayList<>();
        for (int[] s : nkm) {
            cases.add(Arguments.of(s[0], s[1], s[2]));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "n={0} k={1} m={2}")
    @MethodSource("shapes")
    void forward(int n, int k, int m) {
        Random rnd = new Random(31L * n + 7L * k + m);
        Operand inp = Operand.random(rnd, n * k);
        Operand w = Operand.random(rnd, m * k);
        Operand out = Operand.random(rnd, n * m);
        double[] sum = new double[n * m];
        double[] mag = new double[n * m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                for (int p = 0; p < k; p++) {
                    double t = (double) inp.get(i * k + p) * w.get(j * k + p);
                    sum[i * m + j] += t;
                    mag[i * m + j] += Math.abs(t);
                }
            }
        }
        for (Parallel pool : new Parallel[] {one, two, three}) {
            Operand result = out.fresh();
            Matmul.forward(pool, result.data, result.off, inp.data, inp.off, w.data, w.off, n, k, m);
            result.check("out", m, sum, mag);
            inp.checkUnchanged();
            w.checkUnchanged();
        }
    }

    @ParameterizedTest(name = "n={0} k={1} m={2}")
    @MethodSource("shapes")
    void backwardInput(int n, int k, int m) {
        Random rnd = new Random(37L * n + 5L * k + m);
        Operand dout = Operand.random(rnd, n * m);
        Operand w = Operand.random(rnd, m * k);
        // dinp starts out random: backwardInput overwrites it
        Operand dinp = Operand.random(rnd, n * k);
        double[] sum = new double[n * k];
        double[] mag = new double[n * k];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                double d = dout.get(i * m + j);
                for (int p = 0; p < k; p++) {
                    double t = d * w.get(j * k + p);
                    sum[i * k + p] += t;
                    mag[i * k + p] += Math.abs(t);
                }
            }
        }
        for (Parallel pool : new Parallel[] {one, two, three}) {
            Operand result = dinp.fresh();
            Matmul.backwardInput(pool, result.data, result.off, dout.data, dout.off, w.data, w.off, n, k, m);
            result.check("dinp", k, sum, mag);
            dout.checkUnchanged();
            w.checkUnchanged();
        }
    }

    @ParameterizedTest(name = "n={0} k={1} m={2}")
    @MethodSource("shapes")
    void backwardWeight(int n, int k, int m) {
        Random rnd = new Random(41L * n + 3L * k + m);
        Operand dout = Operand.random(rnd, n * m);
        Operand inp = Operand.random(rnd, n * k);
        Operand dw = Operand.random(rnd, m * k);
        double[] sum = new double[m * k];
        double[] mag = new double[m * k];
        for (int i = 0; i < m * k; i++) {
            sum[i] = dw.get(i);
            mag[i] = Math.abs(sum[i]);
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                double d = dout.get(i * m + j);
                for (int p = 0; p < k; p++) {
                    double t = d * inp.get(i * k + p);
                    sum[j * k + p] += t;
                    mag[j * k + p] += Math.abs(t);
                }
            }
        }
        for (Parallel pool : new Parallel[] {one, two, three}) {
            Operand result = dw.fresh();
            Matmul.backwardWeight(pool, result.data, result.off, dout.data, dout.off, inp.data, inp.off, n, k, m);
            result.check("dw", k, sum, mag);
            dout.checkUnchanged();
            inp.checkUnchanged();
        }
    }

    /** Empty products: forward with k = 0 writes zeros; nothing else may touch memory. */
    @Test
    void zeroSizes() {
        int[][] nkm = {{0, 5, 7}, {5, 0, 7}, {5, 7, 0}, {0, 0, 0}, {2, 0, 3}};
        for (int[] s : nkm) {
            int n = s[0];
            int k = s[1];
            int m = s[2];
            Random rnd = new Random(1);
            Operand inp = Operand.random(rnd, n * k);
            Operand w = Operand.random(rnd, m * k);
            Operand out = Operand.random(rnd, n * m);
            Operand dinp = Operand.random(rnd, n * k);
            Operand dw = Operand.random(rnd, m * k);
            float[] dwBefore = dw.copy();
            Matmul.forward(two, out.data, out.off, inp.data, inp.off, w.data, w.off, n, k, m);
            Matmul.backwardInput(two, dinp.data, dinp.off, out.data, out.off, w.data, w.off, n, k, m);
            Matmul.backwardWeight(two, dw.data, dw.off, out.data, out.off, inp.data, inp.off, n, k, m);
            for (int i = 0; i < n * m; i++) {
                assertEquals(0f, out.get(i), "out[" + i + "] of an empty sum");
            }
            for (int i = 0; i < n * k; i++) {
                assertEquals(0f, dinp.get(i), "dinp[" + i + "] of an empty sum");
            }
            for (int i = 0; i < m * k; i++) {
                assertEquals(dwBefore[i], dw.get(i));
            }
            out.checkGuards();
            dinp.checkGuards();
            dw.checkGuards();
        }
    }

    /** A matrix at offset {@link #GUARD} inside an array with sentinels on both sides. */
    private static final class Operand {
        final float[] data;
        final int off = GUARD;
        final int size;
        final float[] original;

        private Operand(float[] data, int size) {
            this.data = data;
            this.size = size;
            this.original = data.clone();
        }

        static Operand random(Random rnd, int size) {
            float[] data = new float[size + 2 * GUARD];
            Arrays.fill(data, SENTINEL);
            for (int i = 0; i < size; i++) {
                data[GUARD + i] = (float) (rnd.nextDouble() * 2 - 1);
            }
            return new Operand(data, size);
        }

        float get(int i) {
            return data[off + i];
        }

        /** A copy with the original contents, for one run of a product that writes it. */
        Operand fresh() {
            return new Operand(original.clone(), size);
        }

        /** Every element against the reference sums, then the guards. */
        void check(String what, int cols, double[] expected, double[] magnitude) {
            for (int i = 0; i < size; i++) {
                double tol = TOLERANCE * magnitude[i] + 1e-30;
                float actual = get(i);
                if (!(Math.abs(actual - expected[i]) <= tol)) {
                    fail(String.format("%s[%d, %d] = %s, expected %s (tolerance %.3g)",
                            what, i / cols, i % cols, actual, expected[i], tol));
                }
            }
            checkGuards();
        }

        float[] copy() {
            return Arrays.copyOfRange(data, off, off + size);
        }

        void checkGuards() {
            for (int i = 0; i < data.length; i++) {
                if ((i < off || i >= off + size) && data[i] != SENTINEL) {
                    fail("element " + i + " outside the " + size + " at offset " + off + " was written");
                }
            }
        }

        void checkUnchanged() {
            for (int i = 0; i < data.length; i++) {
                if (Float.floatToRawIntBits(data[i]) != Float.floatToRawIntBits(original[i])) {
                    fail("input element " + i + " changed");
                }
            }
        }
    }
}
