package dev.jchat.model.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Each sampler draws from the distribution its definition gives, on fixed logits: 200,000 seeded draws against the
 * expected probabilities by a chi-square test at p = 0.001 (a wrong distribution, e.g. a filter off by one token or
 * a temperature applied twice, fails by orders of magnitude), and tokens a filter removes never drawn.
 */
class SamplerTest {
    private static final float[] LOGITS = {2.0f, 1.2f, 1.0f, 0.3f, -0.5f, -1.0f, -2.5f, 0.9f};
    private static final int DRAWS = 200_000;
    private static final int[] NO_HISTORY = new int[0];

    @Test
    void temperatureSamplesTheSoftmaxOfTheScaledLogits() {
        for (double temperature : new double[] {1.0, 0.5, 2.0}) {
            assertDistribution(softmax(LOGITS, temperature, all()), SamplingParams.temperature(temperature));
        }
    }

    @Test
    void topKKeepsTheKMostLikely() {
        // ids by logit: 0, 1, 2, 7, 3, 4, 5, 6
        assertDistribution(softmax(LOGITS, 1, keep(0, 1, 2)), params(1, 3, 1, 0));
        assertDistribution(softmax(LOGITS, 0.7, keep(0, 1, 2, 7)), params(0.7, 4, 1, 0));
    }

    @Test
    void topPKeepsTheSmallestSetThatReachesP() {
        double[] p = softmax(LOGITS, 1, all());
        // sorted probabilities p0 ≈ .404, p1 ≈ .181, p2 ≈ .149, p7 ≈ .134: .734 < .75 ≤ .868 with p7
        assertTrue(p[0] + p[1] + p[2] < 0.75 && p[0] + p[1] + p[2] + p[7] >= 0.75);
        assertDistribution(softmax(LOGITS, 1, keep(0, 1, 2, 7)), params(1, 0, 0.75, 0));
        // top-p measures probabilities at temperature 1 after top-k, and the draw then uses the temperature
        assertDistribution(softmax(LOGITS, 1.5, keep(0, 1)), params(1.5, 3, 0.6, 0));
    }

    @Test
    void minPKeepsTokensWithinAFactorOfTheMostLikely() {
        // p_i ≥ 0.3·p_0 ⇔ logit_i ≥ 2 + ln 0.3 ≈ 0.796: ids 0, 1, 2, 7
        assertDistribution(softmax(LOGITS, 1, keep(0, 1, 2, 7)), params(1, 0, 1, 0.3));
        // the threshold is on probabilities at temperature 1, whatever the draw's temperature
        assertDistribution(softmax(LOGITS, 0.8, keep(0, 1, 2, 7)), params(0.8, 0, 1, 0.3));
        assertDistribution(softmax(LOGITS, 1, keep(0)), params(1, 0, 1, 1));
    }

    @Test
    void greedyEdgeCasesPickTheArgmax() {
        var random = new SplittableRandom(1);
        for (int i = 0; i < 1000; i++) {
            assertEquals(0, Sampler.sample(LOGITS, params(1.5, 1, 1, 0), NO_HISTORY, 0, random), "top-k 1");
            assertEquals(0, Sampler.sample(LOGITS, params(1.5, 0, 1e-9, 0), NO_HISTORY, 0, random), "tiny top-p");
            assertEquals(0, Sampler.sample(LOGITS, params(0, 0, 1, 0), NO_HISTORY, 0, random), "temperature 0");
        }
        assertEquals(1, Sampler.argmax(new float[] {-1, 3, 3, 2}), "ties go to the lowest id");
        float[] before = LOGITS.clone();
        Sampler.sample(LOGITS, new SamplingParams(0.9, 5, 0.9, 0.05, 1.3, 4, 0.2, 0.1), new int[] {0, 1, 1}, 3, random);
        assertArrayEquals(before, LOGITS, "the logits are not modified");
    }

    @Test
    void theMostLikelyIdsComeInLogitOrderWithTiesByIdForEveryCount() {
        var random = new SplittableRandom(9);
        float[] logits = new float[1000];
        for (int i = 0; i < logits.length; i++) {
            // few distinct values (ties), both signs, and the infinities
            logits[i] = i % 97 == 0 ? Float.NEGATIVE_INFINITY : i % 89 == 0 ? Float.POSITIVE_INFINITY
                    : (random.nextInt(60) - 30) / 4f;
        }
        Integer[] order = new Integer[logits.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> logits[a] != logits[b] ? Float.compare(logits[b], logits[a]) : a - b);
        for (int count : new int[] {1, 2, 40, 999, 1000}) {
            int[] expected = Arrays.stream(order).limit(count).mapToInt(Integer::intValue).toArray();
            assertArrayEquals(expected, Sampler.mostLikely(logits, count), "count " + count);
        }
    }

    @Test
    void penaltiesFollowLlamaCppAndOpenAi() {
        float[] logits = {2f, -2f, 1f, 0.5f};
        int[] history = {3, 0, 1, 0};
        // repetition penalty 2 over the whole window: positive logits halve, negative ones double, once per token
        assertArrayEquals(new float[] {1f, -4f, 1f, 0.25f},
                Sampler.penalised(logits, new SamplingParams(1, 0, 1, 0, 2, -1, 0, 0), history, 4));
        // the last 3 tokens only (0, 1, 0): token 3 is outside the window
        assertArrayEquals(new float[] {1f, -4f, 1f, 0.5f},
                Sampler.penalised(logits, new SamplingParams(1, 0, 1, 0, 2, 3, 0, 0), history, 4));
        // presence 0.25 once per token, frequency 0.5 per occurrence: token 0 occurs twice
        assertArrayEquals(new float[] {2f - 1f - 0.25f, -2f - 0.5f - 0.25f, 1f, 0.5f - 0.5f - 0.25f},
                Sampler.penalised(logits, new SamplingParams(1, 0, 1, 0, 1, 4, 0.25, 0.5), history, 4));
        // a penalised token is drawn less: token 0 under penalty 4 against the unpenalised distribution
        float[] expectedLogits = LOGITS.clone();
        expectedLogits[0] = LOGITS[0] / 4;
        assertDistribution(softmax(expectedLogits, 1, all()), new SamplingParams(1, 0, 1, 0, 4, 64, 0, 0),
                new int[] {0, 0});
    }

    @Test
    void parametersOutsideTheirRangeAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> params(1, -1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> params(1, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> params(1, 0, 1, 1.5));
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(1, 0, 1, 0, 0, 64, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(1, 0, 1, 0, 1, -2, 0, 0));
    }

    private static SamplingParams params(double temperature, int topK, double topP, double minP) {
        return new SamplingParams(temperature, topK, topP, minP, 1, 64, 0, 0);
    }

    private static void assertDistribution(double[] expected, SamplingParams params) {
        assertDistribution(expected, params, NO_HISTORY);
    }

    private static void assertDistribution(double[] expected, SamplingParams params, int[] history) {
        var random = new SplittableRandom(12345);
        long[] counts = new long[expected.length];
        for (int i = 0; i < DRAWS; i++) {
            counts[Sampler.sample(LOGITS, params, history, history.length, random)]++;
        }
        double chiSquare = 0;
        int bins = 0;
        for (int v = 0; v < expected.length; v++) {
            if (expected[v] == 0) {
                assertEquals(0, counts[v], "token " + v + " is filtered out but was drawn");
                continue;
            }
            double e = expected[v] * DRAWS;
            chiSquare += (counts[v] - e) * (counts[v] - e) / e;
            bins++;
        }
        // the chi-square distribution's 0.999 quantile for bins - 1 degrees of freedom (at most 7 here)
        double[] critical = {0, 10.83, 13.82, 16.27, 18.47, 20.52, 22.46, 24.32};
        assertTrue(chiSquare <= critical[bins - 1], "chi-square " + chiSquare + " over " + bins + " bins");
    }

    /** softmax(logits / temperature) over the kept ids, 0 elsewhere. */
    private static double[] softmax(float[] logits, double temperature, boolean[] kept) {
        double[] p = new double[logits.length];
        double total = 0;
        for (int v = 0; v < logits.length; v++) {
            if (kept[v]) {
                p[v] = Math.exp(logits[v] / temperature);
                total += p[v];
            }
        }
        for (int v = 0; v < p.length; v++) {
            p[v] /= total;
        }
        return p;
    }

    private static boolean[] all() {
        boolean[] kept = new boolean[LOGITS.length];
        Arrays.fill(kept, true);
        return kept;
    }

    private static boolean[] keep(int... ids) {
        boolean[] kept = new boolean[LOGITS.length];
        for (int id : ids) {
            kept[id] = true;
        }
        return kept;
    }
}
