package dev.jchat.model.data;

/**
 * A batch of training or validation windows: {@code inputs[b·seqLen + t]} is token t of row b and
 * {@code targets[b·seqLen + t]} the token that follows it, the one the model must predict.
 */
public record Batch(int batchSize, int seqLen, int[] inputs, int[] targets) {

    public Batch {
        if (inputs.length != batchSize * seqLen || targets.length != batchSize * seqLen) {
            throw new IllegalArgumentException("inputs and targets must hold batchSize × seqLen = "
                    + batchSize * seqLen + " tokens, got " + inputs.length + " and " + targets.length);
        }
    }

    /** Fills row {@code row} from the seqLen + 1 tokens of {@code shard} starting at {@code start}. */
    void fill(int row, TokenShard shard, long start) {
        shard.read(start, inputs, row * seqLen, seqLen);
        shard.read(start + 1, targets, row * seqLen, seqLen);
    }
}
