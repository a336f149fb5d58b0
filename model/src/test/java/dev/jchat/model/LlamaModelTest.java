package dev.jchat.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.model.backend.Backend;
import dev.jchat.model.backend.ReferenceBackend;
import dev.jchat.model.cpu.CpuBackend;
import dev.jchat.model.train.AdamW;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole model's forward and backward: finite differences, CPU against reference, PyTorch's golden values. */
class LlamaModelTest {

    /** Odd sizes everywhere: 3 query heads share 1 key/value head of 6 dimensions; nothing is a vector width. */
    static final ModelConfig ODD = new ModelConfig(2, 3, 1, 18, 10, 11, 7, 10_000, 1e-5, false, 0, 1);

    static int[][] batch(ModelConfig config, int b, int t, long seed) {
        var random = new Random(seed);
        int[] inputs = new int[b * t];
        int[] targets = new int[b * t];
        for (int i = 0; i < b * t; i++) {
            inputs[i] = random.nextInt(config.vocab());
            targets[i] = random.nextInt(config.vocab());
        }
        return new int[][] {inputs, targets};
    }

    static float[] all(Backend backend, dev.jchat.model.backend.Tensor tensor) {
        float[] values = new float[Math.toIntExact(tensor.size())];
        backend.download(tensor, values, 0);
        return values;
    }

    @Test
    void everyGradientMatchesCentralFiniteDifferencesInDoublePrecision() {
        try (Backend backend = new ReferenceBackend()) {
            var model = new LlamaModel(ODD, backend, 7);
            // wider weights than training's 0.02, so attention is far from uniform and every path matters
            float[] params = all(backend, model.parameters());
            var random = new Random(3);
            for (int i = 0; i < params.length; i++) {
                params[i] += (float) (random.nextGaussian() * 0.3);
            }
            backend.upload(model.parameters(), params, 0);
            int b = 2;
            int t = 5;
            int[][] data = batch(ODD, b, t, 11);
            data[1][3] = -1; // a masked target takes no part in the loss
            model.zeroGradients();
            model.forwardBackward(data[0], data[1], b, t, 1f);
            float[] grads = all(backend, model.gradients());
            double worst = 0;
            for (int i = 0; i < params.length; i++) {
                float original = params[i];
                float plus = original + 1e-4f;
                float minus = original - 1e-4f;
                double up = lossWith(model, i, plus, data, b, t);
                double down = lossWith(model, i, minus, data, b, t);
                lossWith(model, i, original, data, b, t);
                double numeric = (up - down) / ((double) plus - (double) minus);
                double error = Math.abs(numeric - grads[i]) / (1e-6 + Math.abs(numeric) + Math.abs(grads[i]));
                worst = Math.max(worst, error);
                assertTrue(error < 1e-4, "parameter " + i + ": backward " + grads[i] + ", finite difference " + numeric);
            }
            assertTrue(worst > 0, "a test that cannot fail");
        }
    }

    private static double lossWith(LlamaModel model, int index, float value, int[][] data, int b, int t) {
        model.backend().upload(model.parameters().slice(index, 1), new float[] {value}, 0);
        return model.loss(data[0], data[1], b, t, null);
    }

    @Test
    void cpuBackendMatchesTheReferenceOnShapesThatCrossTheVectorWidth() {
        var config = new ModelConfig(2, 4, 2, 40, 72, 37, 19, 10_000, 1e-5, false, 0, 1);
        int b = 2;
        int t = 19;
        int[][] data = batch(config, b, t, 5);
        try (Backend reference = new ReferenceBackend(); Backend cpu = new CpuBackend(2)) {
            var expected = new LlamaModel(config, reference, 42);
            var actual = new LlamaModel(config, cpu, 42);
            for (LlamaModel model : new LlamaModel[] {expected, actual}) {
                model.zeroGradients();
            }
            double expectedLoss = expected.forwardBackward(data[0], data[1], b, t, 1f / (b * t));
            double actualLoss = actual.forwardBackward(data[0], data[1], b, t, 1f / (b * t));
            assertEquals(expectedLoss, actualLoss, 1e-4 * expectedLoss);
            float[] want = all(reference, expected.gradients());
            float[] got = all(cpu, actual.gradients());
            for (ParameterLayout.Parameter p : expected.layout().parameters()) {
                assertClose(p.name(), want, got, (int) p.offset(), (int) p.size(), 1e-4);
            }
        }
    }

    /** |got − want| ≤ tolerance · ‖want‖ elementwise, per tensor: the scale-free check of PyTorch-style parity tests. */
    static void assertClose(String name, float[] want, float[] got, int offset, int size, double tolerance) {
        double norm = 0;
        for (int i = offset; i < offset + size; i++) {
            norm += (double) want[i] * want[i];
        }
        norm = Math.sqrt(norm / size);
        for (int i = offset; i < offset + size; i++) {
            assertTrue(Math.abs(got[i] - want[i]) <= tolerance * norm + 1e-9,
                    name + "[" + (i - offset) + "]: expected " + want[i] + ", got " + got[i] + " (rms " + norm + ")");
        }
    }

    @Test
    void matchesPyTorchLossLogitsGradientsAndGreedyTokensOnTheGoldenCheckpoint() throws Exception {
        GoldenTiny golden = GoldenTiny.load();
        int b = golden.sequences().size();
        int t = golden.sequences().getFirst().length - 1;
        int[] inputs = new int[b * t];
        int[] targets = new int[b * t];
        for (int s = 0; s < b; s++) {
            int[] sequence = golden.sequences().get(s);
            System.arraycopy(sequence, 0, inputs, s * t, t);
            System.arraycopy(sequence, 1, targets, s * t, t);
        }
        for (Backend backend : new Backend[] {new CpuBackend(2), new ReferenceBackend()}) {
            try (backend) {
                LlamaModel model = Checkpoint.load(GoldenTiny.dir(), backend);
                model.zeroGradients();
                double loss = model.forwardBackward(inputs, targets, b, t, 1f / (b * t)) / (b * t);
                assertEquals(golden.loss64(), loss, 1e-5, backend.name());
                float[] grads = all(backend, model.gradients());
                for (ParameterLayout.Parameter p : model.layout().parameters()) {
                    float[] want = golden.grad(p.name());
                    float[] got = java.util.Arrays.copyOfRange(grads, (int) p.offset(), (int) (p.offset() + p.size()));
                    assertClose(backend.name() + " " + p.name(), want, got, 0, want.length, 1e-4);
                }
                int[] sequence = golden.sequences().getFirst();
                float[] logits = model.lastLogits(sequence, sequence.length);
                float[] want = golden.logits()[sequence.length - 1];
                for (int v = 0; v < want.length; v++) {
                    assertEquals(want[v], logits[v], 1e-4, backend.name() + " logit " + v);
                }
                assertArrayEquals(golden.greedyGenerated(), greedy(model, golden.greedyPrompt(), golden.greedyGenerated().length),
                        backend.name());
            }
        }
    }

    private static int[] greedy(LlamaModel model, int[] prompt, int count) {
        int[] tokens = java.util.Arrays.copyOf(prompt, prompt.length + count);
        for (int i = prompt.length; i < tokens.length; i++) {
            float[] logits = model.lastLogits(tokens, i);
            int best = 0;
            for (int v = 1; v < logits.length; v++) {
                if (logits[v] > logits[best]) {
                    best = v;
                }
            }
            tokens[i] = best;
        }
        return java.util.Arrays.copyOfRange(tokens, prompt.length, tokens.length);
    }

    @Test
    void aTinyModelMemorisesAShortTextAndTheCheckpointRoundTrips(@TempDir Path dir) throws Exception {
        var config = new ModelConfig(2, 2, 2, 32, 64, 16, 32, 10_000, 1e-5, false, 0, 1);
        int b = 2;
        int t = 32;
        int[][] data = batch(config, b, t, 9);
        for (int i = 0; i < b * t - 1; i++) {
            data[1][i] = data[0][i + 1];
        }
        try (Backend cpu = new CpuBackend(2)) {
            var model = new LlamaModel(config, cpu, 1);
            var optimizer = new AdamW(model, AdamW.Hyper.defaults(0f));
            double first = 0;
            double last = 0;
            for (int step = 0; step < 300; step++) {
                model.zeroGradients();
                last = model.forwardBackward(data[0], data[1], b, t, 1f / (b * t)) / (b * t);
                if (step == 0) {
                    first = last;
                }
                optimizer.step(3e-3f);
            }
            assertTrue(first > 2.5 && last < 0.05, "loss went from " + first + " to " + last);

            Checkpoint.save(dir, model);
            LlamaModel loaded = Checkpoint.load(dir, cpu);
            assertEquals(config, loaded.config());
            assertArrayEquals(all(cpu, model.parameters()), all(cpu, loaded.parameters()));
            assertEquals(model.loss(data[0], data[1], b, t, null), loaded.loss(data[0], data[1], b, t, null));
        }
    }
}
