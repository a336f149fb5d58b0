package dev.jchat.model.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

/**
 * The reference backend against central finite differences in double precision, on small odd shapes, and its forward
 * passes against values worked out by hand. Every backward starts from non-zero gradient buffers, so a backward that
 * overwrites instead of accumulating fails.
 */
class ReferenceBackendTest {

    private static final double H = 1e-6;
    private static final double TOL = 1e-6;

    private final ReferenceBackend ref = new ReferenceBackend();
    private final Random random = new Random(42);

    @Test
    void embeddingBackwardMatchesFiniteDifferences() {
        int n = 5;
        int c = 7;
        int vocab = 6;
        int[] tokens = {3, 1, 3, 0, 5};
        Tensor table = randomTensor(vocab * c);
        Tensor out = randomTensor(n * c);
        Tensor g = randomTensor(n * c);
        Tensor dtable = randomTensor(vocab * c);
        double[] before = data(dtable).clone();
        ref.embeddingBackward(dtable, g, tokens, n, c);
        checkGradient("dtable", table, gradient(dtable, before), () -> {
            ref.embedding(out, table, tokens, n, c);
            return dot(out, g);
        });
        assertEquals(data(table)[3 * c + 2], data(out)[2 * c + 2]);
    }

    @Test
    void rmsNormMatchesFiniteDifferencesAndNormalises() {
        int n = 5;
        int c = 7;
        Tensor inp = randomTensor(n * c);
        Tensor weight = randomTensor(c);
        Tensor out = randomTensor(n * c);
        Tensor rstd = randomTensor(n);
        Tensor g = randomTensor(n * c);
        DoubleSupplier loss = () -> {
            ref.rmsNorm(out, rstd, inp, weight, n, c, 1e-5f);
            return dot(out, g);
        };
        loss.getAsDouble();
        Tensor dinp = randomTensor(n * c);
        Tensor dweight = randomTensor(c);
        double[] dinpBefore = data(dinp).clone();
        double[] dweightBefore = data(dweight).clone();
        ref.rmsNormBackward(dinp, dweight, g, inp, weight, rstd, n, c);
        checkGradient("dinp", inp, gradient(dinp, dinpBefore), loss);
        checkGradient("dweight", weight, gradient(dweight, dweightBefore), loss);

        // with unit weight and a tiny eps every output row has mean square 1
        ref.fill(weight, 1f);
        ref.rmsNorm(out, rstd, inp, weight, n, c, 1e-12f);
        for (int i = 0; i < n; i++) {
            double ms = 0;
            for (int j = 0; j < c; j++) {
                ms += data(out)[i * c + j] * data(out)[i * c + j] / c;
            }
            assertEquals(1.0, ms, 1e-9);
        }
    }

    @Test
    void matmulByHandAndBackwardMatchesFiniteDifferences() {
        // [1 2; 3 4] · [[5 6]; [7 8]; [9 10]]ᵀ = [17 23 29; 39 53 67]
        Tensor a = tensor(1, 2, 3, 4);
        Tensor w = tensor(5, 6, 7, 8, 9, 10);
        Tensor o = Tensor.of(ref.allocate(6));
        ref.matmul(o, a, w, 2, 2, 3);
        assertArrayClose(new double[] {17, 23, 29, 39, 53, 67}, data(o), 0);

        int n = 5;
        int k = 7;
        int m = 3;
        Tensor inp = randomTensor(n * k);
        Tensor weight = randomTensor(m * k);
        Tensor out = randomTensor(n * m);
        Tensor g = randomTensor(n * m);
        DoubleSupplier loss = () -> {
            ref.matmul(out, inp, weight, n, k, m);
            return dot(out, g);
        };
        // random starting contents: dinp is overwritten, dweight accumulates
        Tensor dinp = randomTensor(n * k);
        Tensor dweight = randomTensor(m * k);
        double[] dweightBefore = data(dweight).clone();
        ref.matmulBackward(dinp, dweight, g, inp, weight, n, k, m);
        checkGradient("dinp", inp, written(dinp), loss);
        checkGradient("dweight", weight, gradient(dweight, dweightBefore), loss);

        // without dinp only the weight gradient moves
        double[] dweightAgain = data(dweight).clone();
        ref.matmulBackward(null, dweight, g, inp, weight, n, k, m);
        checkGradient("dweight (no dinp)", weight, gradient(dweight, dweightAgain), loss);
    }

    @Test
    void ropeRotatesByHandAndItsInverseIsTheGradient() {
        // one head of 4 at position 1 with angles (90°, 0°): (x1, x2) of pair 0 = (1, 3) → (−3, 1); pair 1 unchanged
        Tensor cos = tensor(1, 1, 0, 1);
        Tensor sin = tensor(0, 0, 1, 0);
        Tensor x = tensor(1, 2, 3, 4);
        ref.rope(x, cos, sin, 1, 1, 4, 1, 4, 1, false);
        assertArrayClose(new double[] {-3, 2, 1, 4}, data(x), 1e-15);

        int b = 2;
        int t = 5;
        int heads = 3;
        int headDim = 6;
        int rowStride = heads * headDim + 4; // the last 4 columns of a row are not rotated
        int pos0 = 2;
        int maxPos = pos0 + t + 1;
        Tensor cosT = Tensor.of(ref.allocate(maxPos * headDim / 2));
        Tensor sinT = Tensor.of(ref.allocate(maxPos * headDim / 2));
        for (int p = 0; p < maxPos; p++) {
            for (int i = 0; i < headDim / 2; i++) {
                double angle = p * Math.pow(10000, -2.0 * i / headDim);
                data(cosT)[p * headDim / 2 + i] = Math.cos(angle);
                data(sinT)[p * headDim / 2 + i] = Math.sin(angle);
            }
        }
        Tensor inp = randomTensor(b * t * rowStride);
        Tensor work = Tensor.of(ref.allocate(b * t * rowStride));
        Tensor g = randomTensor(b * t * rowStride);
        DoubleSupplier loss = () -> {
            ref.copy(work, inp);
            ref.rope(work, cosT, sinT, b, t, rowStride, heads, headDim, pos0, false);
            return dot(work, g);
        };
        // the rotation is orthogonal, so ∂L/∂x is g rotated back
        Tensor dx = Tensor.of(ref.allocate(b * t * rowStride));
        ref.copy(dx, g);
        ref.rope(dx, cosT, sinT, b, t, rowStride, heads, headDim, pos0, true);
        checkGradient("drope", inp, data(dx).clone(), loss);
    }

    @Test
    void attentionByHandAndBackwardMatchesFiniteDifferences() {
        for (int[] shape : new int[][] {{2, 5, 3, 1, 6}, {2, 5, 2, 2, 4}, {1, 4, 4, 2, 2}}) {
            int b = shape[0];
            int t = shape[1];
            int heads = shape[2];
            int kvHeads = shape[3];
            int headDim = shape[4];
            String name = "attention b=" + b + " t=" + t + " heads=" + heads + "/" + kvHeads + " hd=" + headDim;
            int qkvSize = b * t * (heads + 2 * kvHeads) * headDim;
            Tensor qkv = randomTensor(qkvSize);
            Tensor out = randomTensor(b * t * heads * headDim);
            Tensor lse = randomTensor(b * heads * t);
            Tensor g = randomTensor(b * t * heads * headDim);
            DoubleSupplier loss = () -> {
                ref.attention(out, lse, qkv, b, t, heads, kvHeads, headDim);
                return dot(out, g);
            };
            loss.getAsDouble();
            Tensor dqkv = randomTensor(qkvSize);
            ref.attentionBackward(dqkv, g, qkv, out, lse, b, t, heads, kvHeads, headDim);
            checkGradient(name, qkv, written(dqkv), loss);
        }
        // one head: the first query sees only v_0; with all keys equal every query averages the values it sees
        int headDim = 2;
        Tensor qkv = tensor(1, 2, 1, 1, 10, 20, /* t=1 */ 3, 4, 1, 1, 30, 40, /* t=2 */ 5, 6, 1, 1, 50, 60);
        Tensor out = Tensor.of(ref.allocate(6));
        Tensor lse = Tensor.of(ref.allocate(3));
        ref.attention(out, lse, qkv, 1, 3, 1, 1, headDim);
        assertArrayClose(new double[] {10, 20, 20, 30, 30, 40}, data(out), 1e-12);
        double s2 = (5 + 6) / Math.sqrt(headDim);
        assertEquals(s2 + Math.log(3), data(lse)[2], 1e-12);
    }

    @Test
    void swigluByHandAndBackwardMatchesFiniteDifferences() {
        Tensor gu = tensor(0, 1, 5, 7);
        Tensor o = Tensor.of(ref.allocate(2));
        ref.swiglu(o, gu, 1, 2);
        assertArrayClose(new double[] {0, 7 / (1 + Math.exp(-1))}, data(o), 1e-15);

        int n = 5;
        int f = 7;
        Tensor gateUp = randomTensor(n * 2 * f);
        Tensor out = randomTensor(n * f);
        Tensor g = randomTensor(n * f);
        DoubleSupplier loss = () -> {
            ref.swiglu(out, gateUp, n, f);
            return dot(out, g);
        };
        Tensor d = randomTensor(n * 2 * f);
        ref.swigluBackward(d, g, gateUp, n, f);
        checkGradient("dgateUp", gateUp, written(d), loss);
    }

    @Test
    void crossEntropyMatchesFiniteDifferencesAndSkipsMaskedRows() {
        int n = 5;
        int c = 7;
        int vocab = 11;
        int[] targets = {3, -1, 10, 0, -1};
        float gradScale = 0.37f;
        Tensor x = randomTensor(n * c);
        Tensor head = randomTensor(vocab * c);
        DoubleSupplier loss = () -> gradScale * ref.crossEntropy(null, null, x, head, targets, null, n, c, vocab, 1f);
        Tensor dx = randomTensor(n * c);
        Tensor dhead = randomTensor(vocab * c);
        double[] dheadBefore = data(dhead).clone();
        float[] rowLosses = new float[n];
        double total = ref.crossEntropy(dx, dhead, x, head, targets, rowLosses, n, c, vocab, gradScale);
        checkGradient("dx", x, written(dx), loss);
        checkGradient("dhead", head, gradient(dhead, dheadBefore), loss);
        assertEquals(0f, rowLosses[1]);
        assertEquals(0f, rowLosses[4]);
        double sum = 0;
        for (float l : rowLosses) {
            sum += l;
        }
        assertEquals(total, sum, 1e-5);
        for (int i : new int[] {1, 4}) {
            for (int j = 0; j < c; j++) {
                assertEquals(0.0, data(dx)[i * c + j], "masked row " + i + " got a gradient");
            }
        }

        // zero inputs: uniform softmax, each unmasked row loses log(vocab)
        ref.fill(x, 0f);
        assertEquals(3 * Math.log(vocab), ref.crossEntropy(null, null, x, head, targets, null, n, c, vocab, 1f), 1e-12);
    }

    @Test
    void adamwFirstStepIsSignDescentWithDecoupledDecay() {
        Tensor p = tensor(1, -2, 3);
        Tensor g = tensor(0.5, -0.25, 0);
        Tensor m = Tensor.of(ref.allocate(3));
        Tensor v = Tensor.of(ref.allocate(3));
        float lr = 0.1f;
        float wd = 0.01f;
        ref.adamw(p, g, m, v, lr, 0.9f, 0.95f, 1e-8f, wd, 1);
        // step 1: m̂ = g, v̂ = g², so the update is lr·(g/(|g| + eps) + wd·p)
        double[] expected = new double[3];
        double[] p0 = {1, -2, 3};
        double[] g0 = {0.5, -0.25, 0};
        for (int i = 0; i < 3; i++) {
            expected[i] = p0[i] - 0.1f * (g0[i] / (Math.abs(g0[i]) + 1e-8f) + 0.01f * p0[i]);
        }
        assertArrayClose(expected, data(p), 1e-7);
        assertArrayClose(new double[] {0.05, -0.025, 0}, data(m), 1e-7);
        assertArrayClose(new double[] {0.0125, 0.003125, 0}, data(v), 1e-8);
    }

    @Test
    void elementwiseOps() {
        Tensor a = tensor(1, -2, 3);
        Tensor b = tensor(0.5, 0.5, 0.5);
        ref.add(a, b);
        assertArrayClose(new double[] {1.5, -1.5, 3.5}, data(a), 0);
        ref.scale(a, 2f);
        assertArrayClose(new double[] {3, -3, 7}, data(a), 0);
        assertEquals(67, ref.sumOfSquares(a));
        ref.copy(b, a);
        assertArrayClose(new double[] {3, -3, 7}, data(b), 0);
        float[] down = new float[4];
        ref.download(b, down, 1);
        assertEquals(7f, down[3]);
    }

    @Test
    void hostileArgumentsFailClearly() {
        Storage s = ref.allocate(10);
        var view = assertThrows(IllegalArgumentException.class, () -> new Tensor(s, 8, 3));
        assertTrue(view.getMessage().contains("outside a storage of 10"), view.getMessage());
        Tensor x = randomTensor(2 * 3);
        Tensor head = randomTensor(4 * 3);
        var target = assertThrows(IllegalArgumentException.class,
                () -> ref.crossEntropy(null, null, x, head, new int[] {1, 4}, null, 2, 3, 4, 1f));
        assertTrue(target.getMessage().contains("at row 1"), target.getMessage());
        var shortView = assertThrows(IllegalArgumentException.class,
                () -> ref.matmul(Tensor.of(ref.allocate(5)), x, head, 2, 3, 4));
        assertTrue(shortView.getMessage().startsWith("out has 5 elements"), shortView.getMessage());
        var token = assertThrows(IllegalArgumentException.class,
                () -> ref.embedding(x, head, new int[] {0, -1}, 2, 3));
        assertTrue(token.getMessage().contains("at row 1"), token.getMessage());
    }

    /** Compares ∂loss/∂x by central differences with {@code analytic}, element by element. */
    private static void checkGradient(String what, Tensor x, double[] analytic, DoubleSupplier loss) {
        double[] v = data(x);
        int o = (int) x.offset();
        double maxAbs = 0;
        for (int k = 0; k < x.size(); k++) {
            double saved = v[o + k];
            v[o + k] = saved + H;
            double plus = loss.getAsDouble();
            v[o + k] = saved - H;
            double minus = loss.getAsDouble();
            v[o + k] = saved;
            double numeric = (plus - minus) / (2 * H);
            assertEquals(numeric, analytic[k], TOL * Math.max(1, Math.abs(numeric)), what + "[" + k + "]");
            maxAbs = Math.max(maxAbs, Math.abs(numeric));
        }
        loss.getAsDouble();
        assertTrue(maxAbs > 1e-3, what + ": the gradient is (nearly) zero everywhere, the check proves nothing");
    }

    /** What a backward added to {@code grad}: its contents now minus {@code before}. */
    /** An output the call overwrites. */
    private static double[] written(Tensor grad) {
        return gradient(grad, new double[(int) (grad.offset() + grad.size())]);
    }

    /** What the call added to an output that accumulates. */
    private static double[] gradient(Tensor grad, double[] before) {
        double[] now = data(grad);
        double[] diff = new double[(int) grad.size()];
        for (int i = 0; i < diff.length; i++) {
            diff[i] = now[(int) grad.offset() + i] - before[(int) grad.offset() + i];
        }
        return diff;
    }

    private static double dot(Tensor a, Tensor b) {
        double sum = 0;
        for (int i = 0; i < a.size(); i++) {
            sum += data(a)[(int) a.offset() + i] * data(b)[(int) b.offset() + i];
        }
        return sum;
    }

    private Tensor randomTensor(int size) {
        Tensor t = Tensor.of(ref.allocate(size));
        for (int i = 0; i < size; i++) {
            data(t)[i] = random.nextGaussian();
        }
        return t;
    }

    private Tensor tensor(double... values) {
        Tensor t = Tensor.of(ref.allocate(values.length));
        System.arraycopy(values, 0, data(t), 0, values.length);
        return t;
    }

    private static double[] data(Tensor t) {
        return ReferenceBackend.data(t);
    }

    private static void assertArrayClose(double[] expected, double[] actual, double tol) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tol, "element " + i);
        }
    }
}
