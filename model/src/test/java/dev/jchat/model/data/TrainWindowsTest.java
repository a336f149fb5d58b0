package dev.jchat.model.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training loader: seeded, resumable, and covering each epoch's tokens once. */
class TrainWindowsTest {
    static final int SEQ = 8;
    List<TokenShard> shards;

    /** Three shards whose token at position p is p (so a window says where it came from): 100, 100 and 37 tokens. */
    @BeforeEach
    void shards(@TempDir Path dir) throws IOException {
        List<Path> paths = TokenShardTest.write(dir, "train", 1000, 100, IntStream.range(0, 237).toArray());
        shards = new ArrayList<>();
        for (Path path : paths) {
            shards.add(TokenShard.open(path));
        }
    }

    @Test
    void windowsFollowTheLlmcLayoutAndCoverAnEpochOnce() {
        var loader = new TrainWindows(shards, SEQ, 1);
        // (100-1)/8 + (100-1)/8 + (37-1)/8 = 12 + 12 + 4
        assertEquals(28, loader.windowsPerEpoch());
        var targets = new HashSet<Integer>();
        var starts = new HashSet<Integer>();
        for (int i = 0; i < 7; i++) {
            Batch batch = loader.next(4);
            for (int row = 0; row < 4; row++) {
                int first = batch.inputs()[row * SEQ];
                assertTrue(starts.add(first), "window starting at " + first + " seen twice in one epoch");
                for (int t = 0; t < SEQ; t++) {
                    assertEquals(first + t, batch.inputs()[row * SEQ + t]);
                    assertEquals(first + t + 1, batch.targets()[row * SEQ + t]);
                    assertTrue(targets.add(batch.targets()[row * SEQ + t]));
                }
                // windows start every SEQ tokens inside a shard, and never cross into the next shard
                assertEquals(0, (first % 100) % SEQ);
                assertEquals(first / 100, (first + SEQ) / 100);
            }
        }
        assertEquals(28 * SEQ, targets.size());
        assertEquals(new TrainWindows.State(1, 0, 28, 28), loader.state());
        loader.next(1);
        assertEquals(new TrainWindows.State(1, 1, 1, 28), loader.state());
    }

    @Test
    void theOrderIsRandomButFixedBySeedAndEpochsReshuffle() {
        int[] a = firstTokens(new TrainWindows(shards, SEQ, 42), 56);
        int[] b = firstTokens(new TrainWindows(shards, SEQ, 42), 56);
        int[] other = firstTokens(new TrainWindows(shards, SEQ, 43), 56);
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, other));
        int[] epoch0 = Arrays.copyOfRange(a, 0, 28);
        int[] epoch1 = Arrays.copyOfRange(a, 28, 56);
        assertFalse(Arrays.equals(epoch0, epoch1));
        assertArrayEquals(IntStream.of(epoch0).sorted().toArray(), IntStream.of(epoch1).sorted().toArray());
        assertFalse(Arrays.equals(epoch0, IntStream.of(epoch0).sorted().toArray()), "not shuffled");
    }

    @Test
    void aRestoredLoaderContinuesWithTheSameBatches() {
        var original = new TrainWindows(shards, SEQ, 7);
        for (int i = 0; i < 9; i++) {
            original.next(3);
        }
        String saved = original.state().toJson();
        assertEquals("{\"seed\":7,\"epoch\":0,\"position\":27,\"windows\":28}", saved);
        var resumed = new TrainWindows(shards, SEQ, TrainWindows.State.fromJson(saved));
        for (int i = 0; i < 20; i++) {
            Batch expected = original.next(3);
            Batch actual = resumed.next(3);
            assertArrayEquals(expected.inputs(), actual.inputs(), "batch " + i);
            assertArrayEquals(expected.targets(), actual.targets(), "batch " + i);
        }
        assertEquals(original.state(), resumed.state());
        // the position counts windows, not batches, so the batch size may change across a resume
        var smaller = new TrainWindows(shards, SEQ, original.state());
        Batch two = original.next(2);
        assertArrayEquals(two.inputs(), concat(smaller.next(1).inputs(), smaller.next(1).inputs()));
    }

    @Test
    void aStateFromOtherDataIsRefused() {
        var state = new TrainWindows(shards, SEQ, 7).state();
        var e = assertThrows(IllegalArgumentException.class, () -> new TrainWindows(shards, SEQ * 2, state));
        assertTrue(e.getMessage().contains("saved with 28 windows per epoch, but these shards give 14 windows of seqLen 16"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TrainWindows.State.fromJson("{\"seed\":1}"));
        assertThrows(IllegalArgumentException.class, () -> TrainWindows.State.fromJson("not json"));
    }

    @Test
    void shardsTooShortForOneWindowAreAnError() {
        var e = assertThrows(IllegalArgumentException.class, () -> new TrainWindows(shards, 100, 1));
        assertTrue(e.getMessage().contains("no shard has the 101 tokens of one window"), e.getMessage());
    }

    @Test
    void validationWindowsAreSequentialFullBatches() {
        var val = new ValWindows(shards, SEQ);
        assertEquals(28, val.windows());
        assertEquals(9, val.batches(3));
        Batch first = val.batch(0, 3);
        assertArrayEquals(IntStream.range(0, 24).toArray(), first.inputs());
        assertArrayEquals(IntStream.range(1, 25).toArray(), first.targets());
        // batch 2 of 5 holds windows 10..14: the last two of shard 0 (80, 88), then shard 1's from its start
        Batch crossing = val.batch(2, 5);
        assertArrayEquals(new int[] {80, 88, 100, 108, 116},
                IntStream.range(0, 5).map(row -> crossing.inputs()[row * SEQ]).toArray());
        assertThrows(IndexOutOfBoundsException.class, () -> val.batch(9, 3));
    }

    @Test
    void bitsPerByteLeavesOutTokensWithoutBytes() {
        int[] tokenBytes = {0, 1, 3};
        var bpb = new BitsPerByte(tokenBytes);
        bpb.add(new int[] {0, 1, 2, 2}, new float[] {100f, (float) Math.log(2), (float) Math.log(2), 0f});
        assertEquals(7, bpb.bytes());
        assertEquals(2.0 / 7, bpb.value(), 1e-6);
    }

    private static int[] firstTokens(TrainWindows loader, int windows) {
        return IntStream.range(0, windows).map(i -> loader.next(1).inputs()[0]).toArray();
    }

    private static int[] concat(int[] a, int[] b) {
        return IntStream.concat(IntStream.of(a), IntStream.of(b)).toArray();
    }
}
