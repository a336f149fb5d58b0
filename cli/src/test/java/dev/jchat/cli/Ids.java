package dev.jchat.cli;

import com.fasterxml.jackson.databind.JsonNode;

/** Token ids in the parity tests: the greedy pick from a row of logits, and the ids a JSON reference lists. */
final class Ids {

    private Ids() {}

    /** The index of the largest logit (the first of equals, as torch.argmax and llama.cpp's greedy sampler pick). */
    static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    static int[] of(JsonNode array) {
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = array.get(i).asInt();
        }
        return ids;
    }
}
