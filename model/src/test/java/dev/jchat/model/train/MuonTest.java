package dev.jchat.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.model.LlamaModel;
import dev.jchat.model.ModelConfig;
import dev.jchat.model.backend.Backend;
import dev.jchat.model.backend.ReferenceBackend;
import dev.jchat.model.backend.Tensor;
import dev.jchat.model.cpu.CpuBackend;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Newton–Schulz orthogonalisation, CPU against reference, and Muon training a tiny model. */
class MuonTest {

    static float[] random(int n, long seed) {
        var random = new Random(seed);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    /** Xᵀ·X for a wide X or X·Xᵀ for a tall one, in double: near the identity once X is orthogonalised. */
    static double worstOffIdentity(float[] x, int rows, int cols) {
        int r = Math.min(rows, cols);
        double worst = 0;
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < r; j++) {
                double sum = 0;
                for (int k = 0; k < Math.max(rows, cols); k++) {
                    sum += rows <= cols ? (double) x[i * cols + k] * x[j * cols + k] : (double) x[k * cols + i] * x[k * cols + j];
                }
                worst = Math.max(worst, Math.abs(sum - (i == j ? 1 : 0)));
            }
        }
        return worst;
    }

    @Test
    void orthogonalisesWideAndTallMatricesAndTheCpuMatchesTheReference() {
        for (int[] shape : new int[][] {{13, 37}, {37, 13}, {24, 24}}) {
            int rows = shape[0];
            int cols = shape[1];
            float[] input = random(rows * cols, rows * 31L + cols);
            float[] expected = new float[input.length];
            float[] actual = new float[input.length];
            try (Backend reference = new ReferenceBackend(); Backend cpu = new CpuBackend(2)) {
                for (var pair : new Object[][] {{reference, expected}, {cpu, actual}}) {
                    Backend backend = (Backend) pair[0];
                    Tensor t = Tensor.of(backend.allocate(input.length));
                    backend.upload(t, input, 0);
                    backend.orthogonalize(t, rows, cols, 5);
                    backend.download(t, (float[]) pair[1], 0);
                }
            }
            for (int i = 0; i < input.length; i++) {
                assertEquals(expected[i], actual[i], 2e-4, "element " + i + " of " + rows + "×" + cols);
            }
            // the quintic trades exactness for speed: singular values land in roughly [0.7, 1.2]
            assertTrue(worstOffIdentity(expected, rows, cols) < 0.6, "not orthogonal: " + worstOffIdentity(expected, rows, cols));
            float[] more = expected.clone();
            try (Backend reference = new ReferenceBackend()) {
                Tensor t = Tensor.of(reference.allocate(more.length));
                reference.upload(t, input, 0);
                reference.orthogonalize(t, rows, cols, 0);
                reference.download(t, more, 0);
            }
            assertTrue(worstOffIdentity(more, rows, cols) > worstOffIdentity(expected, rows, cols) + 0.2,
                    "zero steps should leave the matrix far from orthogonal");
        }
    }

    @Test
    void muonWithAdamWForTheRestMemorisesAShortText() {
        var config = new ModelConfig(2, 2, 2, 32, 64, 16, 32, 10_000, 1e-5, false, 0, 1);
        int b = 2;
        int t = 32;
        var random = new Random(9);
        int[] inputs = random.ints(b * t, 0, config.vocab()).toArray();
        int[] targets = new int[b * t];
        System.arraycopy(inputs, 1, targets, 0, b * t - 1);
        try (Backend cpu = new CpuBackend(2)) {
            var model = new LlamaModel(config, cpu, 1);
            var adam = new AdamW(model, AdamW.Hyper.defaults(0f, true));
            var muon = new Muon(model, Muon.Hyper.defaults());
            double first = 0;
            double last = 0;
            for (int step = 0; step < 150; step++) {
                model.zeroGradients();
                last = model.forwardBackward(inputs, targets, b, t, 1f / (b * t)) / (b * t);
                first = step == 0 ? last : first;
                adam.step(3e-3f);
                muon.step(0.02f);
            }
            assertTrue(first > 2.5 && last < 0.1, "loss went from " + first + " to " + last);
        }
    }
}
