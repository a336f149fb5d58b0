package dev.jchat.model.infer;

/**
 * How {@link Sampler} picks the next token. Applied in llama.cpp's order: penalties, top-k, top-p, min-p,
 * temperature; a filter that is off leaves the candidates as they are.
 *
 * @param temperature      logits are divided by it before the draw; 0 (or less) picks the most likely token (greedy)
 * @param topK             keep the k most likely tokens; 0 = off
 * @param topP             keep the smallest set of most likely tokens whose probability reaches p (nucleus); 1 = off
 * @param minP             keep tokens whose probability is at least minP times the most likely one's; 0 = off
 * @param repeatPenalty    llama.cpp's repetition penalty for tokens in the window: a positive logit is divided by it,
 *                         a negative one multiplied; 1 = off
 * @param repeatLastN      the window of all three penalties: the last N tokens of the sequence, prompt included
 *                         (as llama.cpp counts); 0 = no penalties, -1 = the whole sequence
 * @param presencePenalty  OpenAI's presence penalty: subtracted once from the logit of every token in the window
 * @param frequencyPenalty OpenAI's frequency penalty: subtracted from a token's logit once per occurrence in the window
 */
public record SamplingParams(double temperature, int topK, double topP, double minP, double repeatPenalty,
                             int repeatLastN, double presencePenalty, double frequencyPenalty) {

    public SamplingParams {
        require(topK >= 0, "top-k must be 0 (off) or positive, got " + topK);
        require(topP > 0 && topP <= 1, "top-p must be in (0, 1], got " + topP);
        require(minP >= 0 && minP <= 1, "min-p must be in [0, 1], got " + minP);
        require(repeatPenalty > 0, "the repeat penalty must be positive, got " + repeatPenalty);
        require(repeatLastN >= -1, "repeat-last-n must be -1 (all), 0 (off) or positive, got " + repeatLastN);
        require(Double.isFinite(temperature) && Double.isFinite(presencePenalty) && Double.isFinite(frequencyPenalty),
                "temperature and penalties must be finite");
    }

    /** The most likely token every time. */
    public static SamplingParams greedy() {
        return new SamplingParams(0, 0, 1, 0, 1, 64, 0, 0);
    }

    /** Plain sampling from the model's distribution at {@code temperature}, no filters or penalties. */
    public static SamplingParams temperature(double temperature) {
        return new SamplingParams(temperature, 0, 1, 0, 1, 64, 0, 0);
    }

    boolean penalises() {
        return repeatLastN != 0 && (repeatPenalty != 1 || presencePenalty != 0 || frequencyPenalty != 0);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
