package dev.jchat.model.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Shards written and read back, the llm.c bytes checked by hand, and every header error naming its file. */
class TokenShardTest {

    static List<Path> write(Path dir, String split, int vocabSize, long perShard, int[]... documents) throws IOException {
        try (var writer = new TokenShardWriter(dir, split, vocabSize, perShard)) {
            for (int[] document : documents) {
                writer.write(document);
            }
            return writer.finish();
        }
    }

    static int[] readAll(List<Path> shards) throws IOException {
        var all = new ArrayList<Integer>();
        for (Path path : shards) {
            TokenShard shard = TokenShard.open(path);
            int[] tokens = new int[(int) shard.size()];
            shard.read(0, tokens, 0, tokens.length);
            for (int t : tokens) {
                all.add(t);
            }
        }
        return all.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void uint16RoundTripRollsShardsAtTheTokenCount(@TempDir Path dir) throws IOException {
        int[] a = IntStream.range(0, 7).map(i -> 65535 - i).toArray();
        int[] b = {0, 1, 2, 3, 4, 5};
        List<Path> shards = write(dir, "train", 65536, 5, a, b);
        assertEquals(List.of("train_000000.bin", "train_000001.bin", "train_000002.bin"),
                shards.stream().map(p -> p.getFileName().toString()).toList());
        assertArrayEquals(IntStream.concat(IntStream.of(a), IntStream.of(b)).toArray(), readAll(shards));
        TokenShard last = TokenShard.open(shards.get(2));
        assertEquals(1, last.version());
        assertEquals(3, last.size());
        assertEquals(1024 + 3 * 2, Files.size(shards.get(2)));
        // the llm.c layout byte by byte: header ints, then uint16 little-endian
        ByteBuffer raw = ByteBuffer.wrap(Files.readAllBytes(shards.get(0))).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(20240520, raw.getInt(0));
        assertEquals(1, raw.getInt(4));
        assertEquals(5, raw.getInt(8));
        assertEquals(0, raw.getInt(12));
        assertEquals(65535, Short.toUnsignedInt(raw.getShort(1024)));
        assertEquals(65531, Short.toUnsignedInt(raw.getShort(1024 + 8)));
    }

    @Test
    void uint32WhenTheVocabularyDoesNotFitSixteenBits(@TempDir Path dir) throws IOException {
        int[] doc = {0, 65535, 65536, 199_999, 42};
        List<Path> shards = write(dir, "val", 200_000, 100, doc);
        TokenShard shard = TokenShard.open(shards.get(0));
        assertEquals(2, shard.version());
        assertEquals(1024 + 5 * 4, Files.size(shards.get(0)));
        assertArrayEquals(doc, readAll(shards));
        assertEquals(199_999, shard.get(3));
        shard.checkIds(200_000);
        IOException tooSmall = assertThrows(IOException.class, () -> shard.checkIds(100_000));
        assertTrue(tooSmall.getMessage().contains("val_000000.bin: token 3 is id 199999, outside the vocabulary of 100000"),
                tooSmall.getMessage());
    }

    @Test
    void aRerunWithFewerShardsRemovesTheStaleOnesAndTheirTempFiles(@TempDir Path dir) throws IOException {
        write(dir, "train", 100, 2, new int[] {1, 2, 3, 4, 5, 6, 7});
        Files.writeString(dir.resolve("train_000009.bin.tmp"), "left by a crash");
        write(dir, "val", 100, 2, new int[] {1});
        List<Path> again = write(dir, "train", 100, 2, new int[] {9, 8, 7});
        assertEquals(2, again.size());
        try (var files = Files.list(dir)) {
            assertEquals(List.of("train_000000.bin", "train_000001.bin", "val_000000.bin"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertArrayEquals(new int[] {9, 8, 7}, readAll(again));
    }

    @Test
    void anAbandonedWriterLeavesNoShard(@TempDir Path dir) throws IOException {
        try (var writer = new TokenShardWriter(dir, "train", 100, 10)) {
            writer.write(new int[] {1, 2, 3});
            assertThrows(IllegalArgumentException.class, () -> writer.write(new int[] {100}));
        }
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void badShardsFailWithTheirFileNameAndTheReason(@TempDir Path dir) throws IOException {
        Path good = write(dir, "train", 1000, 100, new int[] {1, 2, 3, 4}).get(0);
        byte[] bytes = Files.readAllBytes(good);

        assertError(dir.resolve("missing.bin"), "missing.bin: no such token shard");
        Path tiny = Files.write(dir.resolve("tiny.bin"), new byte[10]);
        assertError(tiny, "tiny.bin: 10 bytes, shorter than the 1024-byte llm.c shard header");
        Path magic = Files.write(dir.resolve("magic.bin"), patch(bytes, 0, 12345));
        assertError(magic, "magic.bin: not an llm.c token shard (magic 12345, expected 20240520)");
        Path version = Files.write(dir.resolve("version.bin"), patch(bytes, 4, 7));
        assertError(version, "version.bin: unsupported llm.c shard version 7");
        Path count = Files.write(dir.resolve("count.bin"), patch(bytes, 8, 5));
        assertError(count, "count.bin: the header says 5 tokens of 2 bytes (1034 bytes with the header) but the file "
                + "has 1032 bytes");
        Path truncated = Files.write(dir.resolve("truncated.bin"), java.util.Arrays.copyOf(bytes, bytes.length - 1));
        assertError(truncated, "truncated.bin: the header says 4 tokens");
    }

    private static byte[] patch(byte[] bytes, int offset, int value) {
        byte[] copy = bytes.clone();
        ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putInt(offset, value);
        return copy;
    }

    private static void assertError(Path file, String expected) {
        IOException e = assertThrows(IOException.class, () -> TokenShard.open(file));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    }
}
