package dev.jchat.data.dedup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.data.Document;
import dev.jchat.data.StepStats;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The phases one at a time, on hand-made inputs: file formats, pair chaining, cluster roots. */
class MinhashPhasesTest {
    @TempDir
    Path tmp;

    @Test
    void signatureFilesAreSortedDatatroveRecords() throws IOException {
        var docs = new ArrayList<Document>();
        for (int i = 0; i < 50; i++) {
            docs.add(new Document("document number " + "abcdefghij".repeat(i % 7 + 1) + " has some words " + i, "d" + i));
        }
        docs.add(new Document("too short", "short"));
        var config = MinhashConfig.FINEWEB;
        var stage = new MinhashDedupSignature(config, new NormalizedWordTokenizer(), tmp, 1_000_000);
        StepStats stats = stage.run(3, docs);
        assertEquals(51, stats.count("total"));
        var signer = new MinhashSigner(config, new NormalizedWordTokenizer());
        for (int band = 0; band < config.numBuckets(); band++) {
            byte[] bytes = Files.readAllBytes(MinhashFiles.signatureFile(tmp, band, 3));
            assertEquals(50 * 68, bytes.length, "8 u64 + u32 per signed document");
            var buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            long[] previous = null;
            boolean[] seen = new boolean[50];
            while (buf.hasRemaining()) {
                long[] sig = new long[8];
                for (int h = 0; h < 8; h++) {
                    sig[h] = buf.getLong();
                }
                int doc = buf.getInt();
                assertFalse(seen[doc]);
                seen[doc] = true;
                long[] expected = Arrays.copyOfRange(signer.signature(docs.get(doc).text()), band * 8, band * 8 + 8);
                assertArrayEquals(expected, sig);
                assertTrue(previous == null || Arrays.compareUnsigned(previous, sig) <= 0, "sorted");
                previous = sig;
            }
        }
    }

    @Test
    void spilledRunsMergeToTheSameFiles() throws IOException {
        var docs = new ArrayList<Document>();
        for (int i = 0; i < 200; i++) {
            docs.add(new Document("shared words for every document " + (i % 10 == 0 ? "" : "and a unique tail " + i * 7919), "d" + i));
        }
        new MinhashDedupSignature(MinhashConfig.FINEWEB, new NormalizedWordTokenizer(), tmp.resolve("whole"), 1_000_000)
                .run(0, docs);
        new MinhashDedupSignature(MinhashConfig.FINEWEB, new NormalizedWordTokenizer(), tmp.resolve("runs"), 14 * 9)
                .run(0, docs);
        for (int band = 0; band < 14; band++) {
            assertArrayEquals(Files.readAllBytes(MinhashFiles.signatureFile(tmp.resolve("whole"), band, 0)),
                    Files.readAllBytes(MinhashFiles.signatureFile(tmp.resolve("runs"), band, 0)));
            try (var files = Files.list(MinhashFiles.bucketDir(tmp.resolve("runs"), band))) {
                assertEquals(1, files.count(), "runs deleted after the merge");
            }
        }
    }

    @Test
    void equalSignaturesChainIntoPairsInFileThenDocOrder() throws IOException {
        var config = new MinhashConfig(5, 1, 2, 1, MinhashNormalization.V0_2_0);
        Path sigs = tmp.resolve("sig");
        // task 0: docs 4 and 7 share (1, 2); task 1: doc 0 too; (3, 3) is alone
        writeSigs(MinhashFiles.signatureFile(sigs, 0, 0), new long[][] {{1, 2, 4}, {1, 2, 7}, {3, 3, 1}});
        writeSigs(MinhashFiles.signatureFile(sigs, 0, 1), new long[][] {{1, 2, 0}, {5, 0, 2}});
        StepStats stats = new MinhashDedupBuckets(config, sigs, tmp.resolve("dups")).run(0);
        assertEquals(2, stats.count("total_matches"));
        assertArrayEquals(new long[] {0, 4, 0, 7, 0, 7, 1, 0}, readUint32s(MinhashFiles.dupsFile(tmp.resolve("dups"), 0)));
    }

    @Test
    void clusterKeepsItsSmallestFileAndDocWhateverThePairOrder() throws IOException {
        long[][] pairs = {{1, 2, 0, 5}, {0, 3, 1, 2}, {2, 1, 2, 0}, {0, 5, 0, 3}};
        long[][] reversed = {pairs[3], pairs[2], pairs[1], pairs[0]};
        long[][] swapped = Arrays.stream(pairs).map(p -> new long[] {p[2], p[3], p[0], p[1]}).toArray(long[][]::new);
        List<String> outputs = new ArrayList<>();
        for (long[][] order : List.of(pairs, reversed, swapped)) {
            Path dir = tmp.resolve("c" + outputs.size());
            // split over two band files, as the bands would
            writePairs(MinhashFiles.dupsFile(dir.resolve("dups"), 0), Arrays.copyOfRange(order, 0, 2));
            writePairs(MinhashFiles.dupsFile(dir.resolve("dups"), 1), Arrays.copyOfRange(order, 2, 4));
            StepStats stats = new MinhashDedupCluster(dir.resolve("dups"), dir.resolve("remove")).run();
            assertEquals(5, stats.count("duplicates"));
            assertEquals(3, stats.count("to_remove"));
            assertEquals(2, stats.count("clusters"));
            assertEquals(2.5, stats.values().get("cluster_size").mean(), 1e-9);
            var filter = new MinhashDedupFilter(dir.resolve("remove"));
            assertArrayEquals(new int[] {5}, filter.removals(0)); // (0,3) kept, (0,5) and (1,2) removed
            assertArrayEquals(new int[] {2}, filter.removals(1));
            assertArrayEquals(new int[] {1}, filter.removals(2)); // (2,0) kept
            assertArrayEquals(new int[0], filter.removals(3));
            outputs.add(Arrays.toString(filter.removals(0)) + Arrays.toString(filter.removals(1)));
        }
    }

    @Test
    void filterDropsListedIndicesOnly() throws IOException {
        Path remove = tmp.resolve("remove");
        try (var out = new LittleEndianWriter(MinhashFiles.removeFile(remove, 2))) {
            out.putUint32(0);
            out.putUint32(3);
        }
        var docs = List.of(new Document("a", "0"), new Document("b", "1"), new Document("c", "2"),
                new Document("d", "3"), new Document("e", "4"));
        var stats = new StepStats("minhash_filter");
        var kept = new ArrayList<String>();
        new MinhashDedupFilter(remove).filter(2, docs, stats, null).forEach(d -> kept.add(d.id()));
        assertEquals(List.of("1", "2", "4"), kept);
        assertEquals(5, stats.count("total"));
        assertEquals(2, stats.count("dropped"));
        assertEquals(3, stats.count("forwarded"));
        var all = new ArrayList<String>();
        new MinhashDedupFilter(remove).filter(1, docs, new StepStats("f"), null).forEach(d -> all.add(d.id()));
        assertEquals(5, all.size(), "no .remove file: nothing dropped");
    }

    private static void writeSigs(Path file, long[][] records) throws IOException {
        try (var out = new LittleEndianWriter(file)) {
            for (long[] r : records) {
                for (int i = 0; i < r.length - 1; i++) {
                    out.putLong(r[i]);
                }
                out.putUint32(r[r.length - 1]);
            }
        }
    }

    private static void writePairs(Path file, long[][] pairs) throws IOException {
        try (var out = new LittleEndianWriter(file)) {
            for (long[] p : pairs) {
                for (long v : p) {
                    out.putUint32(v);
                }
            }
        }
    }

    private static long[] readUint32s(Path file) throws IOException {
        var buf = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        long[] out = new long[buf.remaining() / 4];
        for (int i = 0; i < out.length; i++) {
            out[i] = buf.getInt() & 0xFFFFFFFFL;
        }
        return out;
    }
}
