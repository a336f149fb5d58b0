package dev.jchat.model.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tokens directory: meta.json round trip, and what opening it refuses. */
class TokenShardsTest {

    static TokenShards.Meta meta(int vocabSize, long trainTokens, List<String> trainShards) {
        return new TokenShards.Meta(vocabSize, 3, "tok", "ab12", 4, new TokenShards.Split(1, trainTokens, 20, trainShards),
                new TokenShards.Split(1, 2, 5, List.of("val_000000.bin")), Map.of("bad_json", 2L));
    }

    @Test
    void metaRoundTripsAndOpeningChecksTheShards(@TempDir Path dir) throws IOException {
        List<Path> train = TokenShardTest.write(dir, "train", 10, 4, new int[] {3, 1, 2, 3, 4, 5});
        TokenShardTest.write(dir, "val", 10, 4, new int[] {3, 9});
        TokenShards.Meta meta = meta(10, 6, List.of("train_000000.bin", "train_000001.bin"));
        meta.write(dir);
        assertEquals(meta, TokenShards.Meta.read(dir));
        TokenShards shards = TokenShards.open(dir);
        assertEquals(train, shards.train().stream().map(TokenShard::path).toList());
        assertEquals(2, shards.val().get(0).size());
        assertTrue(Files.readString(dir.resolve("meta.json")).contains("\"vocab_size\" : 10"));
    }

    @Test
    void aShardThatDisagreesWithTheMetaFileIsRefused(@TempDir Path dir) throws IOException {
        TokenShardTest.write(dir, "train", 100, 4, new int[] {3, 1, 2, 30});
        TokenShardTest.write(dir, "val", 100, 4, new int[] {3, 9});
        meta(10, 4, List.of("train_000000.bin")).write(dir);
        IOException vocab = assertThrows(IOException.class, () -> TokenShards.open(dir));
        assertTrue(vocab.getMessage().endsWith("train_000000.bin: token 3 is id 30, outside the vocabulary of 10 ids: "
                + "written with a different tokenizer?"), vocab.getMessage());

        meta(100, 5, List.of("train_000000.bin")).write(dir);
        IOException count = assertThrows(IOException.class, () -> TokenShards.open(dir));
        assertTrue(count.getMessage().contains("says 5 tokens in [train_000000.bin] but the shards hold 4"),
                count.getMessage());

        meta(100, 4, List.of("train_000000.bin", "train_000001.bin")).write(dir);
        IOException missing = assertThrows(IOException.class, () -> TokenShards.open(dir));
        assertTrue(missing.getMessage().endsWith("train_000001.bin: no such token shard"), missing.getMessage());

        Files.delete(dir.resolve("meta.json"));
        IOException noMeta = assertThrows(IOException.class, () -> TokenShards.open(dir));
        assertTrue(noMeta.getMessage().contains("meta.json does not exist"), noMeta.getMessage());
        Files.writeString(dir.resolve("meta.json"), "{\"vocab_size\": 10}");
        IOException bad = assertThrows(IOException.class, () -> TokenShards.open(dir));
        assertTrue(bad.getMessage().contains("meta.json: not a valid token meta file: no \"bos_id\""), bad.getMessage());
    }

    @Test
    void aTokenizerMismatchIsCaughtBeforeTraining() {
        TokenShards.Meta meta = meta(10, 6, List.of());
        meta.checkTokenizer(16, "renamed", "ab12");
        var small = assertThrows(IllegalArgumentException.class, () -> meta.checkTokenizer(8, "tok", "ab12"));
        assertTrue(small.getMessage().contains("ids up to 9 but the model's vocabulary has 8 ids"), small.getMessage());
        var other = assertThrows(IllegalArgumentException.class, () -> meta.checkTokenizer(10, "tok", "cd34"));
        assertTrue(other.getMessage().contains("written with tokenizer tok (sha256 ab12), not with tok (sha256 cd34)"),
                other.getMessage());
    }
}
