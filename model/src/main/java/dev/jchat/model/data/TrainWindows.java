package dev.jchat.model.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;

/**
 * Training batches drawn from the train shards in a seeded random order.
 *
 * <p>Each shard is cut into windows of seqLen + 1 tokens that start every seqLen tokens, llm.c's DataLoader
 * layout: the inputs of consecutive windows do not overlap, so in one epoch every token of a shard is a
 * target exactly once (except the first, and a tail shorter than a window). An epoch visits all windows of
 * all shards in a permutation drawn from (seed, epoch), and the next epoch draws a new one. Which window
 * comes next is a function of (seed, epoch, position) alone: that is the whole {@link State}, so a run
 * resumed from a saved state sees exactly the batches the uninterrupted run would have seen, whatever the
 * batch sizes before and after. Not thread-safe.
 */
public final class TrainWindows {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private final List<TokenShard> shards;
    private final int seqLen;
    private final long seed;
    /** firstWindow[s]: global index of shard s's first window; the last entry is the total. */
    private final long[] firstWindow;
    private final int windows;
    private long epoch;
    private int position;
    private int[] order;

    /**
     * Where a loader stands: the next window is number {@code position} of epoch {@code epoch}'s permutation.
     * {@code windows} (per epoch) is kept so that a state cannot be restored on other shards or another
     * sequence length without an error.
     */
    public record State(long seed, long epoch, long position, long windows) {

        public String toJson() {
            return JSON.createObjectNode().put("seed", seed).put("epoch", epoch).put("position", position)
                    .put("windows", windows).toString();
        }

        public static State fromJson(String json) {
            try {
                JsonNode node = JSON.readTree(json);
                for (String field : List.of("seed", "epoch", "position", "windows")) {
                    if (!node.path(field).canConvertToLong()) {
                        throw new IllegalArgumentException("loader state has no integer \"" + field + "\": " + json);
                    }
                }
                return new State(node.get("seed").asLong(), node.get("epoch").asLong(), node.get("position").asLong(),
                        node.get("windows").asLong());
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("loader state is not JSON: " + json, e);
            }
        }
    }

    /** A loader at the start of epoch 0. */
    public TrainWindows(List<TokenShard> shards, int seqLen, long seed) {
        if (seqLen < 1) {
            throw new IllegalArgumentException("seqLen must be positive, got " + seqLen);
        }
        this.shards = List.copyOf(shards);
        this.seqLen = seqLen;
        this.seed = seed;
        this.firstWindow = new long[shards.size() + 1];
        long tokens = 0;
        for (int s = 0; s < shards.size(); s++) {
            long n = shards.get(s).size();
            tokens += n;
            firstWindow[s + 1] = firstWindow[s] + (n > seqLen ? (n - 1) / seqLen : 0);
        }
        long total = firstWindow[shards.size()];
        if (total == 0) {
            throw new IllegalArgumentException("the train shards hold " + tokens + " tokens in " + shards.size()
                    + " shard(s): no shard has the " + (seqLen + 1) + " tokens of one window of seqLen " + seqLen);
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(total + " windows per epoch are too many for one permutation array; "
                    + "use a longer seqLen");
        }
        this.windows = (int) total;
        startEpoch(0);
    }

    /** A loader that continues where {@code state} was saved. */
    public TrainWindows(List<TokenShard> shards, int seqLen, State state) {
        this(shards, seqLen, state.seed());
        if (state.windows() != windows) {
            throw new IllegalArgumentException("the loader state was saved with " + state.windows()
                    + " windows per epoch, but these shards give " + windows + " windows of seqLen " + seqLen
                    + ": the token shards or the sequence length changed since");
        }
        if (state.epoch() < 0 || state.position() < 0 || state.position() > windows) {
            throw new IllegalArgumentException("loader state out of range: " + state);
        }
        startEpoch(state.epoch());
        position = (int) state.position();
    }

    /** The next {@code batchSize} windows; an epoch that runs out continues into the next one. */
    public Batch next(int batchSize) {
        var batch = new Batch(batchSize, seqLen, new int[batchSize * seqLen], new int[batchSize * seqLen]);
        for (int row = 0; row < batchSize; row++) {
            if (position == windows) {
                startEpoch(epoch + 1);
            }
            long window = order[position++];
            int shard = shardOf(window);
            batch.fill(row, shards.get(shard), (window - firstWindow[shard]) * seqLen);
        }
        return batch;
    }

    public State state() {
        return new State(seed, epoch, position, windows);
    }

    public int windowsPerEpoch() {
        return windows;
    }

    private int shardOf(long window) {
        int low = 0;
        int high = shards.size() - 1;
        while (low < high) {
            int mid = (low + high + 1) >>> 1;
            if (firstWindow[mid] <= window) {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        return low;
    }

    /**
     * Fisher-Yates over all windows with SplitMix64 seeded from (seed, epoch): written out here rather than
     * taken from java.util.random, whose algorithms may change between JDKs, so that a seed means the same
     * order on every JVM, and anyone can reproduce it.
     */
    private void startEpoch(long newEpoch) {
        epoch = newEpoch;
        position = 0;
        if (order == null) {
            order = new int[windows];
        }
        for (int i = 0; i < windows; i++) {
            order[i] = i;
        }
        long state = mix(seed ^ mix(newEpoch * GOLDEN_GAMMA));
        for (int i = windows - 1; i > 0; i--) {
            state += GOLDEN_GAMMA;
            // Lemire's multiply-high maps a 64-bit draw to 0..i; its bias, (i+1)/2^64, is far below noticing
            int j = (int) Math.unsignedMultiplyHigh(mix(state), i + 1L);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
    }

    /** SplitMix64's finalizer (Steele, Lea and Flood, 2014). */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
