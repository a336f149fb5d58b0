package dev.jchat.model.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.model.backend.Backend;
import dev.jchat.model.backend.ReferenceBackend;
import dev.jchat.model.backend.Tensor;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every CPU backend operation against the double-precision reference on the same float inputs, on odd shapes and on
 * shapes that cross the vector width (37, 67), the attention key tile (70, 130) and the cross-entropy row chunk (300),
 * with fp32 tolerances. Gradient buffers start non-zero, so a backward that overwrites instead of adding fails.
 */
class CpuBackendTest {

    /** fp32 against double: relative to the largest magnitude of the expected tensor. */
    private static final double TOL = 2e-5;
    /** Every test tensor is a view at an offset of 13 to 19 into a storage with PAD_AFTER more elements. */
    private static final int PAD_AFTER = 7;
    private static int views;
    private static final float SENTINEL = 1234.5f;

    private static CpuBackend cpu;
    private final ReferenceBackend ref = new ReferenceBackend();
    private final Random random = new Random(7);

    /** The same values in both backends. */
    private record Pair(Tensor cpu, Tensor ref, int size) {}

    @BeforeAll
    static void start() {
        cpu = new CpuBackend(2);
    }

    @AfterAll
    static void stop() {
        cpu.close();
    }

    @Test
    void elementwiseOps() {
        for (int size : new int[] {37, 100_003}) {
            Pair a = randomPair(size, 1);
            Pair b = randomPair(size, 1);
            cpu.add(a.cpu, b.cpu);
            ref.add(a.ref, b.ref);
            assertClose("add", a, 1e-7);
            cpu.scale(a.cpu, -0.3f);
            ref.scale(a.ref, -0.3f);
            assertClose("scale", a, 1e-7);
            assertEquals(ref.sumOfSquares(a.ref), cpu.sumOfSquares(a.cpu), 1e-6 * ref.sumOfSquares(a.ref), "Σx²");
            cpu.copy(b.cpu, a.cpu);
            ref.copy(b.ref, a.ref);
            assertClose("copy", b, 1e-7);
            cpu.fill(b.cpu, 2.5f);
            assertEquals(2.5f * 2.5f * size, cpu.sumOfSquares(b.cpu), 1e-9 * size);
        }
        // a view: only its own elements change
        Pair whole = randomPair(50, 1);
        float[] before = values(cpu, whole.cpu);
        cpu.scale(whole.cpu.slice(10, 20), 2f);
        float[] after = values(cpu, whole.cpu);
        for (int i = 0; i < 50; i++) {
            assertEquals(i >= 10 && i < 30 ? 2 * before[i] : before[i], after[i], "element " + i);
        }
    }

    @Test
    void embeddingForwardAndBackward() {
        int vocab = 11;
        for (int c : new int[] {7, 37, 67}) {
            int n = 19;
            int[] tokens = new int[n];
            for (int i = 0; i < n; i++) {
                tokens[i] = (i * 7) % vocab; // every token repeats
            }
            Pair table = randomPair(vocab * c, 1);
            Pair out = randomPair(n * c, 1);
            cpu.embedding(out.cpu, table.cpu, tokens, n, c);
            ref.embedding(out.ref, table.ref, tokens, n, c);
            assertClose("embedding c=" + c, out, 0);
            Pair dtable = randomPair(vocab * c, 1);
            cpu.embeddingBackward(dtable.cpu, out.cpu, tokens, n, c);
            ref.embeddingBackward(dtable.ref, out.ref, tokens, n, c);
            assertClose("embeddingBackward c=" + c, dtable, 1e-6);
        }
    }

    @Test
    void rmsNormForwardAndBackward() {
        for (int[] shape : new int[][] {{5, 37}, {19, 67}, {33, 256}, {1, 7}}) {
            checkRmsNorm(cpu, shape[0], shape[1]);
        }
        try (var three = new CpuBackend(3)) {
            checkRmsNorm(three, 19, 67);
        }
    }

    private void checkRmsNorm(CpuBackend backend, int n, int c) {
        String name = "rmsNorm n=" + n + " c=" + c + " threads=" + backend.threads();
        Pair inp = randomPair(n * c, 2);
        Pair weight = randomPair(c, 1);
        Pair out = randomPair(n * c, 1);
        Pair rstd = randomPair(n, 1);
        backend.rmsNorm(out.cpu, rstd.cpu, inp.cpu, weight.cpu, n, c, 1e-5f);
        ref.rmsNorm(out.ref, rstd.ref, inp.ref, weight.ref, n, c, 1e-5f);
        assertClose(name + " out", out, TOL);
        assertClose(name + " rstd", rstd, TOL);
        Pair dout = randomPair(n * c, 1);
        Pair dinp = randomPair(n * c, 1);
        Pair dweight = randomPair(c, 1);
        backend.rmsNormBackward(dinp.cpu, dweight.cpu, dout.cpu, inp.cpu, weight.cpu, rstd.cpu, n, c);
        ref.rmsNormBackward(dinp.ref, dweight.ref, dout.ref, inp.ref, weight.ref, rstd.ref, n, c);
        assertClose(name + " dinp", dinp, TOL);
        assertClose(name + " dweight", dweight, TOL);
    }

    @Test
    void matmulForwardAndBackward() {
        int n = 7;
        int k = 37;
        int m = 19;
        Pair inp = randomPair(n * k, 1);
        Pair weight = randomPair(m * k, 1);
        Pair out = randomPair(n * m, 1);
        cpu.matmul(out.cpu, inp.cpu, weight.cpu, n, k, m);
        ref.matmul(out.ref, inp.ref, weight.ref, n, k, m);
        assertClose("matmul", out, TOL);
        Pair dinp = randomPair(n * k, 1);
        Pair dweight = randomPair(m * k, 1);
        cpu.matmulBackward(dinp.cpu, dweight.cpu, out.cpu, inp.cpu, weight.cpu, n, k, m);
        ref.matmulBackward(dinp.ref, dweight.ref, out.ref, inp.ref, weight.ref, n, k, m);
        assertClose("matmul dinp", dinp, TOL);
        assertClose("matmul dweight", dweight, TOL);
        cpu.matmulBackward(null, dweight.cpu, out.cpu, inp.cpu, weight.cpu, n, k, m);
        ref.matmulBackward(null, dweight.ref, out.ref, inp.ref, weight.ref, n, k, m);
        assertClose("matmul dweight without dinp", dweight, TOL);
    }

    @Test
    void ropeMatchesReferenceAndInverts() {
        // {b, t, heads, headDim, extra columns per row, pos0}
        for (int[] s : new int[][] {{2, 19, 3, 10, 20, 0}, {2, 19, 3, 10, 20, 5}, {1, 7, 2, 64, 128, 3}}) {
            int b = s[0];
            int t = s[1];
            int heads = s[2];
            int headDim = s[3];
            int rowStride = heads * headDim + s[4];
            int pos0 = s[5];
            String name = "rope hd=" + headDim + " pos0=" + pos0;
            int maxPos = pos0 + t + 2;
            float[] cos = new float[maxPos * headDim / 2];
            float[] sin = new float[maxPos * headDim / 2];
            for (int p = 0; p < maxPos; p++) {
                for (int i = 0; i < headDim / 2; i++) {
                    double angle = p * Math.pow(10000, -2.0 * i / headDim);
                    cos[p * headDim / 2 + i] = (float) Math.cos(angle);
                    sin[p * headDim / 2 + i] = (float) Math.sin(angle);
                }
            }
            Pair cosT = pair(cos);
            Pair sinT = pair(sin);
            Pair x = randomPair(b * t * rowStride, 1);
            float[] original = values(cpu, x.cpu);
            cpu.rope(x.cpu, cosT.cpu, sinT.cpu, b, t, rowStride, heads, headDim, pos0, false);
            ref.rope(x.ref, cosT.ref, sinT.ref, b, t, rowStride, heads, headDim, pos0, false);
            assertClose(name, x, 1e-6);
            float[] rotated = values(cpu, x.cpu);
            assertTrue(maxDiff(original, rotated) > 0.1, name + ": nothing rotated");
            for (int row = 0; row < b * t; row++) {
                for (int j = heads * headDim; j < rowStride; j++) {
                    assertEquals(original[row * rowStride + j], rotated[row * rowStride + j], name + " column " + j);
                }
            }
            cpu.rope(x.cpu, cosT.cpu, sinT.cpu, b, t, rowStride, heads, headDim, pos0, true);
            ref.rope(x.ref, cosT.ref, sinT.ref, b, t, rowStride, heads, headDim, pos0, true);
            assertClose(name + " inverse", x, 1e-6);
            assertTrue(maxDiff(original, values(cpu, x.cpu)) < 1e-5, name + ": the inverse does not undo it");
        }
    }

    @Test
    void attentionForwardAndBackward() {
        // {b, t, heads, kvHeads, headDim}: GQA, the key tile (64 at 512 bits) crossed once and twice
        for (int[] s : new int[][] {{2, 19, 3, 1, 10}, {2, 70, 4, 2, 64}, {1, 130, 2, 2, 64}, {3, 1, 2, 1, 6}}) {
            checkAttention(cpu, s[0], s[1], s[2], s[3], s[4]);
        }
    }

    private void checkAttention(CpuBackend backend, int b, int t, int heads, int kvHeads, int headDim) {
        String name = "attention b=" + b + " t=" + t + " heads=" + heads + "/" + kvHeads + " hd=" + headDim;
        int qkvSize = b * t * (heads + 2 * kvHeads) * headDim;
        Pair qkv = randomPair(qkvSize, 1);
        Pair out = randomPair(b * t * heads * headDim, 1);
        Pair lse = randomPair(b * heads * t, 1);
        backend.attention(out.cpu, lse.cpu, qkv.cpu, b, t, heads, kvHeads, headDim);
        ref.attention(out.ref, lse.ref, qkv.ref, b, t, heads, kvHeads, headDim);
        assertClose(name + " out", out, TOL);
        assertClose(name + " lse", lse, TOL);
        Pair dout = randomPair(b * t * heads * headDim, 1);
        Pair dqkv = randomPair(qkvSize, 1);
        backend.attentionBackward(dqkv.cpu, dout.cpu, qkv.cpu, out.cpu, lse.cpu, b, t, heads, kvHeads, headDim);
        ref.attentionBackward(dqkv.ref, dout.ref, qkv.ref, out.ref, lse.ref, b, t, heads, kvHeads, headDim);
        assertClose(name + " dqkv", dqkv, TOL);
    }

    @Test
    void swigluForwardAndBackward() {
        for (int[] s : new int[][] {{5, 37}, {3, 67}, {2, 7}}) {
            int n = s[0];
            int f = s[1];
            // gates up to ±40 reach both tails of the sigmoid
            Pair gateUp = randomPair(n * 2 * f, 10);
            Pair out = randomPair(n * f, 1);
            cpu.swiglu(out.cpu, gateUp.cpu, n, f);
            ref.swiglu(out.ref, gateUp.ref, n, f);
            assertClose("swiglu f=" + f, out, TOL);
            Pair dgu = randomPair(n * 2 * f, 1);
            cpu.swigluBackward(dgu.cpu, out.cpu, gateUp.cpu, n, f);
            ref.swigluBackward(dgu.ref, out.ref, gateUp.ref, n, f);
            assertClose("swigluBackward f=" + f, dgu, TOL);
        }
    }

    @Test
    void crossEntropyTrainAndEval() {
        int[] targets = new int[19];
        for (int i = 0; i < targets.length; i++) {
            targets[i] = i % 4 == 1 ? -1 : (i * 5) % 67;
        }
        checkCrossEntropy(cpu, 19, 37, 67, targets);
        // more rows than one chunk; the second chunk is all masked and is skipped
        int[] long_ = new int[300];
        for (int i = 0; i < long_.length; i++) {
            long_[i] = i >= 256 || i % 9 == 0 ? -1 : (i * 7) % 50;
        }
        checkCrossEntropy(cpu, 300, 16, 50, long_);
        try (var three = new CpuBackend(3)) {
            checkCrossEntropy(three, 19, 37, 67, targets);
        }
    }

    private void checkCrossEntropy(CpuBackend backend, int n, int c, int vocab, int[] targets) {
        String name = "crossEntropy n=" + n + " c=" + c + " vocab=" + vocab;
        float gradScale = 1f / 13;
        Pair x = randomPair(n * c, 1);
        Pair head = randomPair(vocab * c, 0.5);
        Pair dx = randomPair(n * c, 1);
        Pair dhead = randomPair(vocab * c, 1);
        float[] cpuLosses = new float[n];
        float[] refLosses = new float[n];
        double cpuTotal = backend.crossEntropy(dx.cpu, dhead.cpu, x.cpu, head.cpu, targets, cpuLosses, n, c, vocab,
                gradScale);
        double refTotal = ref.crossEntropy(dx.ref, dhead.ref, x.ref, head.ref, targets, refLosses, n, c, vocab,
                gradScale);
        assertEquals(refTotal, cpuTotal, 1e-5 * refTotal, name + " loss");
        assertArrayEquals(refLosses, cpuLosses, 1e-4f, name + " row losses");
        assertClose(name + " dx", dx, TOL);
        assertClose(name + " dhead", dhead, TOL);
        for (int i = 0; i < n; i++) {
            if (targets[i] < 0) {
                assertEquals(0f, cpuLosses[i], name + " masked row " + i);
            }
        }
        // evaluation: no gradients, row losses only
        float[] evalLosses = new float[n];
        double evalTotal = backend.crossEntropy(null, null, x.cpu, head.cpu, targets, evalLosses, n, c, vocab, 1f);
        assertEquals(cpuTotal, evalTotal, 0, name + " eval loss");
        assertArrayEquals(cpuLosses, evalLosses, name + " eval row losses");
        assertClose(name + " dx after eval", dx, TOL);
    }

    @Test
    void adamwSeveralSteps() {
        int size = 1037;
        Pair p = randomPair(size, 1);
        Pair m = randomPair(size, 0);
        Pair v = randomPair(size, 0);
        for (int step = 1; step <= 5; step++) {
            Pair g = randomPair(size, 0.1);
            cpu.adamw(p.cpu, g.cpu, m.cpu, v.cpu, 1e-2f, 0.9f, 0.95f, 1e-8f, 0.1f, step);
            ref.adamw(p.ref, g.ref, m.ref, v.ref, 1e-2f, 0.9f, 0.95f, 1e-8f, 0.1f, step);
            assertClose("adamw params, step " + step, p, 1e-6);
            assertClose("adamw m, step " + step, m, 1e-6);
            assertClose("adamw v, step " + step, v, 1e-6);
        }
    }

    @Test
    void resultsAreIdenticalAcrossRuns() {
        int b = 2;
        int t = 70;
        int heads = 4;
        int kvHeads = 2;
        int headDim = 64;
        float[] qkv = randomValues(b * t * (heads + 2 * kvHeads) * headDim, 1);
        float[] dout = randomValues(b * t * heads * headDim, 1);
        float[] x = randomValues(300 * 37, 1);
        float[] head = randomValues(67 * 37, 1);
        int[] targets = new int[300];
        for (int i = 0; i < targets.length; i++) {
            targets[i] = i % 5 == 0 ? -1 : i % 67;
        }
        float[][] first = null;
        for (int run = 0; run < 3; run++) {
            Tensor q = tensor(cpu, qkv);
            Tensor o = tensor(cpu, new float[b * t * heads * headDim]);
            Tensor l = tensor(cpu, new float[b * heads * t]);
            Tensor dq = tensor(cpu, new float[qkv.length]);
            cpu.attention(o, l, q, b, t, heads, kvHeads, headDim);
            cpu.attentionBackward(dq, tensor(cpu, dout), q, o, l, b, t, heads, kvHeads, headDim);
            Tensor xt = tensor(cpu, x);
            Tensor dx = tensor(cpu, new float[x.length]);
            Tensor dh = tensor(cpu, new float[head.length]);
            Tensor rstd = tensor(cpu, new float[300]);
            Tensor normed = tensor(cpu, new float[x.length]);
            Tensor w = tensor(cpu, new float[37]);
            cpu.fill(w, 1.5f);
            cpu.rmsNorm(normed, rstd, xt, w, 300, 37, 1e-5f);
            Tensor dw = tensor(cpu, new float[37]);
            cpu.rmsNormBackward(dx, dw, normed, xt, w, rstd, 300, 37);
            float loss = (float) cpu.crossEntropy(dx, dh, xt, tensor(cpu, head), targets, null, 300, 37, 67, 0.01f);
            float norm = (float) cpu.sumOfSquares(dx);
            float[][] results = {values(cpu, o), values(cpu, l), values(cpu, dq), values(cpu, dx), values(cpu, dh),
                    values(cpu, dw), {loss, norm}};
            if (first == null) {
                first = results;
            } else {
                for (int i = 0; i < results.length; i++) {
                    assertArrayEquals(first[i], results[i], "result " + i + " of run " + run + " differs");
                }
            }
        }
    }

    @Test
    void hostileArgumentsFailClearly() {
        Tensor mine = tensor(cpu, new float[6]);
        Tensor theirs = Tensor.of(ref.allocate(6));
        var foreign = assertThrows(IllegalArgumentException.class, () -> cpu.add(mine, theirs));
        assertTrue(foreign.getMessage().contains("CPU backend"), foreign.getMessage());
        var view = assertThrows(IllegalArgumentException.class, () -> mine.slice(4, 3));
        assertTrue(view.getMessage().contains("outside a tensor of 6"), view.getMessage());
        Tensor x = tensor(cpu, new float[2 * 3]);
        Tensor head = tensor(cpu, new float[4 * 3]);
        Tensor dx = tensor(cpu, randomValues(6, 1));
        float[] dxBefore = values(cpu, dx);
        var target = assertThrows(IllegalArgumentException.class,
                () -> cpu.crossEntropy(dx, head, x, head, new int[] {-1, 4}, null, 2, 3, 4, 1f));
        assertTrue(target.getMessage().contains("4 at row 1"), target.getMessage());
        assertArrayEquals(dxBefore, values(cpu, dx), "a rejected call must not touch its outputs");
        var qkv = assertThrows(IllegalArgumentException.class,
                () -> cpu.attention(x, x, x, 1, 2, 2, 2, 2));
        assertTrue(qkv.getMessage().startsWith("out has 6 elements"), qkv.getMessage());
        var groups = assertThrows(IllegalArgumentException.class,
                () -> cpu.attention(x, x, x, 1, 1, 3, 2, 1));
        assertTrue(groups.getMessage().contains("multiple of kv-heads"), groups.getMessage());
    }

    private Pair randomPair(int size, double scale) {
        return pair(randomValues(size, scale));
    }

    private float[] randomValues(int size, double scale) {
        float[] v = new float[size];
        for (int i = 0; i < size; i++) {
            v[i] = (float) (random.nextGaussian() * scale);
        }
        return v;
    }

    private Pair pair(float[] values) {
        return new Pair(tensor(cpu, values), tensor(ref, values), values.length);
    }

    /**
     * A view of {@code values} inside a larger storage, the rest of which holds {@link #SENTINEL}: as in the model,
     * where tensors are views into one storage, so that offsets are exercised and writes outside a view are caught.
     */
    private static Tensor tensor(Backend backend, float[] values) {
        int before = 13 + views++ % 7;
        Tensor whole = Tensor.of(backend.allocate(before + values.length + PAD_AFTER));
        backend.fill(whole, SENTINEL);
        Tensor t = whole.slice(before, values.length);
        backend.upload(t, values, 0);
        return t;
    }

    private static void assertUntouchedOutside(String what, Backend backend, Tensor t) {
        float[] all = values(backend, Tensor.of(t.storage()));
        for (int i = 0; i < all.length; i++) {
            if ((i < t.offset() || i >= t.offset() + t.size()) && all[i] != SENTINEL) {
                throw new AssertionError(what + ": " + backend.name() + " wrote outside the view, at " + i);
            }
        }
    }

    private static float[] values(Backend backend, Tensor t) {
        float[] v = new float[(int) t.size()];
        backend.download(t, v, 0);
        return v;
    }

    /** |cpu − ref| ≤ tol · max(1, max |ref|) element by element, and neither backend wrote outside the view. */
    private void assertClose(String what, Pair p, double tol) {
        assertUntouchedOutside(what, cpu, p.cpu);
        assertUntouchedOutside(what, ref, p.ref);
        float[] expected = values(ref, p.ref);
        float[] actual = values(cpu, p.cpu);
        double maxAbs = 1;
        for (float e : expected) {
            maxAbs = Math.max(maxAbs, Math.abs(e));
        }
        for (int i = 0; i < p.size; i++) {
            if (!(Math.abs(actual[i] - expected[i]) <= tol * maxAbs)) {
                throw new AssertionError(what + "[" + i + "]: expected " + expected[i] + ", got " + actual[i]
                        + " (tolerance " + tol * maxAbs + ")");
            }
        }
    }

    private static double maxDiff(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
