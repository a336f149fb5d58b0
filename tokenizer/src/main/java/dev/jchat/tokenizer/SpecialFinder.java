package dev.jchat.tokenizer;

import java.util.Map;
import java.util.Set;

/**
 * Finds the next allowed special token in a text: the leftmost occurrence, the longest where two start
 * at the same place. Remembers each special's next occurrence so a long text is scanned once per special.
 */
final class SpecialFinder {
    private final String text;
    private final String[] tokens;
    private final int[] nextAt;
    private String matched;

    SpecialFinder(String text, Set<String> allowed, Map<String, Integer> specials) {
        for (String token : allowed) {
            if (!specials.containsKey(token)) {
                throw new IllegalArgumentException("not a special token of this tokenizer: " + token);
            }
        }
        this.text = text;
        this.tokens = allowed.toArray(String[]::new);
        this.nextAt = new int[tokens.length];
        java.util.Arrays.fill(nextAt, -2);
    }

    /** The start of the next allowed special at or after {@code from}, or -1; see {@link #matched()}. */
    int next(int from) {
        int best = -1;
        matched = null;
        for (int i = 0; i < tokens.length; i++) {
            if (nextAt[i] == -1) {
                continue;
            }
            if (nextAt[i] < from) {
                nextAt[i] = text.indexOf(tokens[i], from);
                if (nextAt[i] < 0) {
                    nextAt[i] = -1;
                    continue;
                }
            }
            int at = nextAt[i];
            if (best < 0 || at < best || (at == best && tokens[i].length() > matched.length())) {
                best = at;
                matched = tokens[i];
            }
        }
        return best;
    }

    /** The special found by the last {@link #next(int)}. */
    String matched() {
        return matched;
    }
}
