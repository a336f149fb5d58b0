package dev.jchat.model.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jchat.model.backend.Backend;
import dev.jchat.model.backend.QuantizedMatrix;
import dev.jchat.model.backend.ReferenceBackend;
import dev.jchat.model.backend.Tensor;
import dev.jchat.model.gguf.Q8Blocks;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Q8_0 matmul against the reference: the same blocks dequantised and multiplied in double precision. Shapes cover
 * the decode kernel (one row), the four-row kernel with one to four rows in its last group, the dequantise-and-GEMM
 * path past {@link Matmul#DOT_ROWS} rows, weight-row counts that leave a tail of one to three rows after the groups of
 * four (and fewer rows than threads), and operands at offsets inside larger tensors.
 */
class Q8MatmulTest {

    /** fp32 error of a sum relative to the sum of the magnitudes of its terms (the quantised weights are exact). */
    private static final double TOLERANCE = 2e-6;

    private static CpuBackend cpu;
    private static ReferenceBackend reference;

    @BeforeAll
    static void backends() {
        cpu = new CpuBackend(3);
        reference = new ReferenceBackend();
    }

    @AfterAll
    static void close() {
        cpu.close();
        reference.close();
    }

    @ParameterizedTest(name = "n={0} k={1} m={2}")
    @CsvSource({"1,32,1", "1,32,3", "1,64,5", "1,96,7", "2,32,9", "3,160,11", "5,96,13", "7,64,33", "8,128,101",
            "9,64,7", "17,96,35", "33,160,5", "1,384,1153", "4,768,259", "130,384,67"})
    void matchesTheDequantisedProductInDoublePrecision(int n, int k, int m) {
        var rnd = new Random(31L * n + 7L * k + m);
        float[] w = new float[m * k];
        for (int i = 0; i < w.length; i++) {
            // a spread of magnitudes per block, so that scales differ from block to block
            w[i] = (float) (rnd.nextGaussian() * Math.exp(rnd.nextInt(5) - 2));
        }
        Q8Blocks blocks = Q8Blocks.quantize(w, 0, m, k);
        float[] x = new float[n * k + 5];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        float[] got = product(cpu, blocks, x, n);
        float[] want = product(reference, blocks, x, n);
        float[] values = blocks.dequantize();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                double magnitude = 0;
                for (int p = 0; p < k; p++) {
                    magnitude += Math.abs(x[5 + i * k + p] * values[j * k + p]);
                }
                double err = Math.abs(got[i * m + j] - want[i * m + j]);
                if (err > TOLERANCE * magnitude + 1e-30) {
                    fail("out[" + i + ", " + j + "] = " + got[i * m + j] + ", reference " + want[i * m + j]
                            + " (error " + err / magnitude + " of the magnitude)");
                }
            }
        }
    }

    /** out[n, m] at offset 3 of a larger tensor, from x at offset 5, on {@code backend}; the guard cells stay. */
    private static float[] product(Backend backend, Q8Blocks blocks, float[] x, int n) {
        int m = blocks.rows();
        QuantizedMatrix w = backend.upload(blocks);
        var in = Tensor.of(backend.allocate(x.length));
        backend.upload(in, x, 0);
        var out = Tensor.of(backend.allocate(n * m + 6));
        backend.fill(out, 7f);
        backend.matmul(out.slice(3, (long) n * m), in.slice(5, (long) n * blocks.cols()), w, n);
        float[] all = new float[n * m + 6];
        backend.download(out, all, 0);
        for (int i : new int[] {0, 1, 2, n * m + 3, n * m + 4, n * m + 5}) {
            assertEquals(7f, all[i], "guard cell " + i);
        }
        float[] result = new float[n * m];
        System.arraycopy(all, 3, result, 0, n * m);
        return result;
    }

    @Test
    void blocksGoInAndComeBackByteForByte() {
        var rnd = new Random(5);
        float[] w = new float[7 * 64];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rnd.nextGaussian();
        }
        w[3] = Float.MIN_VALUE; // a subnormal scale in F16 round trips too
        Q8Blocks blocks = Q8Blocks.quantize(w, 0, 7, 64);
        assertEquals(blocks, cpu.download(cpu.upload(blocks)));
        assertEquals(blocks, reference.download(reference.upload(blocks)));
    }

    @Test
    void quantisationIsGgmlsReference() {
        // max |x| = 127 gives scale 1 exactly: 0.5 and -2.5 are ties, which ggml's roundf takes away from zero
        float[] x = new float[32];
        x[0] = 127;
        x[1] = 0.5f;
        x[2] = -2.5f;
        x[3] = 1.49f;
        x[4] = -127;
        Q8Blocks b = Q8Blocks.quantize(x, 0, 1, 32);
        byte[] expected = new byte[34];
        expected[0] = 0x00; // F16 1.0 = 0x3C00, little-endian
        expected[1] = 0x3C;
        expected[2] = 127;
        expected[3] = 1;
        expected[4] = -3;
        expected[5] = 1;
        expected[6] = -127;
        assertArrayEquals(expected, b.data());
        assertEquals(1f, b.scale(0));
        assertThrows(IllegalArgumentException.class, () -> Q8Blocks.quantize(new float[48], 0, 1, 48));
    }

    @Test
    void aMatrixOfAnotherBackendOrTooSmallOperandsAreRefused() {
        Q8Blocks blocks = Q8Blocks.quantize(new float[64], 0, 2, 32);
        QuantizedMatrix foreign = reference.upload(blocks);
        var x = Tensor.of(cpu.allocate(32));
        var out = Tensor.of(cpu.allocate(2));
        assertThrows(IllegalArgumentException.class, () -> cpu.matmul(out, x, foreign, 1));
        QuantizedMatrix w = cpu.upload(blocks);
        assertThrows(IllegalArgumentException.class, () -> cpu.matmul(out, x, w, 2));
    }
}
