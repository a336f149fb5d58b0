package dev.jchat.model.data;

/**
 * Bits per byte, the loss measure that does not depend on the tokenizer: the summed cross-entropy of the
 * predicted tokens, in nats, over ln 2 times the UTF-8 bytes those tokens stand for. As in nanochat's
 * evaluate_bpb, a token with no bytes (a special token such as BOS) counts in neither sum: predicting where
 * a document starts is not text. Not thread-safe.
 */
public final class BitsPerByte {
    private final int[] tokenBytes;
    private double nats;
    private long bytes;

    /**
     * {@code tokenBytes[id]}: the UTF-8 length of token {@code id}, 0 for special and unused ids. The model
     * module does not know tokenizers; the caller builds this from its tokenizer.
     */
    public BitsPerByte(int[] tokenBytes) {
        this.tokenBytes = tokenBytes.clone();
    }

    /** Adds the per-position losses (nats) of a batch's targets. */
    public void add(int[] targets, float[] losses) {
        if (targets.length != losses.length) {
            throw new IllegalArgumentException(targets.length + " targets but " + losses.length + " losses");
        }
        for (int i = 0; i < targets.length; i++) {
            int length = tokenBytes[targets[i]];
            if (length > 0) {
                nats += losses[i];
                bytes += length;
            }
        }
    }

    /** The UTF-8 bytes of the targets counted so far. */
    public long bytes() {
        return bytes;
    }

    public double value() {
        return nats / (Math.log(2) * bytes);
    }
}
