package dev.jchat.model.infer;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * The next token from a row of logits: pure functions of the logits, the sequence so far and a seeded random
 * generator, so a seed reproduces a sample. The chain is llama.cpp's: penalties on the logits, then top-k, top-p and
 * min-p narrow the candidates (their probabilities at temperature 1), then one draw from the survivors' softmax at
 * the temperature. Probabilities are computed in double.
 */
public final class Sampler {

    private Sampler() {}

    /**
     * A token drawn as {@code params} says; {@code history[0..length)} is the sequence so far (the penalties' window
     * is its tail). {@code logits} is not modified.
     */
    public static int sample(float[] logits, SamplingParams params, int[] history, int length, RandomGenerator random) {
        float[] l = params.penalises() ? penalised(logits, params, history, length) : logits;
        if (params.temperature() <= 0) {
            return argmax(l);
        }
        int vocab = l.length;
        int[] ids;
        int n;
        if ((params.topK() > 0 && params.topK() < vocab) || params.topP() < 1) {
            ids = mostLikely(l, params.topK() > 0 ? Math.min(params.topK(), vocab) : vocab);
            n = ids.length;
            if (params.topP() < 1) {
                n = nucleus(l, ids, n, params.topP());
            }
        } else {
            ids = new int[vocab];
            Arrays.setAll(ids, i -> i);
            n = vocab;
        }
        if (params.minP() > 0) {
            n = minP(l, ids, n, params.minP());
        }
        return draw(l, ids, n, params.temperature(), random);
    }

    /** The index of the largest logit; the lowest index among equals. */
    public static int argmax(float[] logits) {
        int best = 0;
        for (int v = 1; v < logits.length; v++) {
            if (logits[v] > logits[best]) {
                best = v;
            }
        }
        return best;
    }

    /**
     * A copy of {@code logits} with the penalties applied for the tokens in the window (the last
     * {@code repeatLastN} of {@code history[0..length)}): llama.cpp's repetition penalty (a positive logit divided by
     * it, a negative one multiplied, once per distinct token), then OpenAI's {@code count · frequency + presence}
     * subtracted.
     */
    public static float[] penalised(float[] logits, SamplingParams params, int[] history, int length) {
        float[] out = logits.clone();
        int window = params.repeatLastN() < 0 ? length : Math.min(params.repeatLastN(), length);
        int[] recent = Arrays.copyOfRange(history, length - window, length);
        Arrays.sort(recent);
        for (int i = 0; i < recent.length; ) {
            int token = recent[i];
            int count = 0;
            for (; i < recent.length && recent[i] == token; i++) {
                count++;
            }
            double logit = out[token];
            logit = logit > 0 ? logit / params.repeatPenalty() : logit * params.repeatPenalty();
            logit -= count * params.frequencyPenalty() + params.presencePenalty();
            out[token] = (float) logit;
        }
        return out;
    }

    /**
     * The {@code count} most likely token ids, largest logit first (ties by id). Each (logit, id) is packed in a long
     * whose order is the wanted one; the smallest {@code count} of them are kept in a bounded max-heap, one pass over
     * the vocabulary (top-k 40 of 8192 ids costs a fraction of a full sort), then sorted.
     */
    static int[] mostLikely(float[] logits, int count) {
        long[] heap = new long[count];
        int size = 0;
        for (int id = 0; id < logits.length; id++) {
            int bits = Float.floatToIntBits(logits[id]);
            int ordered = bits ^ ((bits >> 31) & 0x7fffffff); // signed ints in the order of the floats
            long key = ((long) ~ordered << 32) | id;
            if (size < count) {
                // sift up
                int i = size++;
                while (i > 0 && heap[(i - 1) / 2] < key) {
                    heap[i] = heap[(i - 1) / 2];
                    i = (i - 1) / 2;
                }
                heap[i] = key;
            } else if (key < heap[0]) {
                // replace the largest kept key and sift down
                int i = 0;
                while (true) {
                    int child = 2 * i + 1;
                    if (child >= size) {
                        break;
                    }
                    if (child + 1 < size && heap[child + 1] > heap[child]) {
                        child++;
                    }
                    if (heap[child] <= key) {
                        break;
                    }
                    heap[i] = heap[child];
                    i = child;
                }
                heap[i] = key;
            }
        }
        Arrays.sort(heap);
        int[] ids = new int[count];
        for (int i = 0; i < count; i++) {
            ids[i] = (int) heap[i];
        }
        return ids;
    }

    /** How many of the first {@code n} (sorted) candidates make up probability {@code p}: at least one. */
    private static int nucleus(float[] logits, int[] ids, int n, double p) {
        double max = logits[ids[0]];
        double[] weights = new double[n];
        double total = 0;
        for (int i = 0; i < n; i++) {
            weights[i] = Math.exp(logits[ids[i]] - max);
            total += weights[i];
        }
        double cumulative = 0;
        for (int i = 0; i < n; i++) {
            cumulative += weights[i];
            if (cumulative >= p * total) {
                return i + 1;
            }
        }
        return n;
    }

    /** Keeps, in place and in order, the candidates whose probability is at least {@code minP} times the largest. */
    private static int minP(float[] logits, int[] ids, int n, double minP) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, logits[ids[i]]);
        }
        // p_i ≥ minP · p_max  ⇔  logit_i ≥ logit_max + ln(minP)
        double threshold = max + Math.log(minP);
        int kept = 0;
        for (int i = 0; i < n; i++) {
            if (logits[ids[i]] >= threshold) {
                ids[kept++] = ids[i];
            }
        }
        return kept;
    }

    /** One draw from softmax(logits / temperature) over the first {@code n} candidates. */
    private static int draw(float[] logits, int[] ids, int n, double temperature, RandomGenerator random) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, logits[ids[i]]);
        }
        double[] cumulative = new double[n];
        double total = 0;
        for (int i = 0; i < n; i++) {
            total += Math.exp((logits[ids[i]] - max) / temperature);
            cumulative[i] = total;
        }
        double u = random.nextDouble() * total;
        for (int i = 0; i < n; i++) {
            if (u < cumulative[i]) {
                return ids[i];
            }
        }
        return ids[n - 1];
    }
}
