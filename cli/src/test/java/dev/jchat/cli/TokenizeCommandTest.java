package dev.jchat.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jchat.data.Document;
import dev.jchat.data.io.DocumentWriter;
import dev.jchat.model.data.Batch;
import dev.jchat.model.data.TokenShards;
import dev.jchat.model.data.TrainWindows;
import dev.jchat.tokenizer.BpeTrainer;
import dev.jchat.tokenizer.HfTokenizerJson;
import dev.jchat.tokenizer.Tokenizer;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jchat tokenize} end to end: shards checked by an independent llm.c reader, the split, bad input. */
class TokenizeCommandTest {
    static final List<String> WORDS = List.of("the", "model", "reads", "tokens", "and", "learns", "to", "predict",
            "next", "word", "from", "web", "pages", "données", "über", "日本語", "🙂", "shard", "window", "seed");

    @TempDir
    static Path shared;
    static Path tokenizerDir;
    static Tokenizer tokenizer;
    static List<String> documents;
    static Path jsonl;
    static Path text;

    /** A small tokenizer trained here, 60 JSONL documents and a text file. */
    @BeforeAll
    static void corpus() throws IOException {
        var random = new Random(1);
        documents = new ArrayList<>();
        for (int d = 0; d < 60; d++) {
            var doc = new StringBuilder();
            int words = 5 + random.nextInt(60);
            for (int w = 0; w < words; w++) {
                doc.append(w == 0 ? "" : random.nextInt(8) == 0 ? ".\n" : " ").append(WORDS.get(random.nextInt(WORDS.size())));
            }
            documents.add(doc.toString());
        }
        tokenizer = new BpeTrainer(400).withThreads(1).train(documents, BpeTrainer.Progress.NONE).tokenizer();
        tokenizerDir = Files.createDirectories(shared.resolve("tokenizer"));
        HfTokenizerJson.write(tokenizer, tokenizerDir.resolve("tokenizer.json"));
        tokenizer = Tokenizer.load(tokenizerDir.toString());

        var lines = new ArrayList<String>();
        var json = new ObjectMapper();
        for (int d = 0; d < documents.size(); d++) {
            lines.add(json.createObjectNode().put("id", "doc-" + d).put("text", documents.get(d)).toString());
            if (d == 10) {
                lines.add("{\"id\": \"broken\", \"text\": \"no closing quote}");
                lines.add("{\"id\": \"no text\"}");
                lines.add("{\"id\": \"empty\", \"text\": \"\"}");
            }
        }
        jsonl = Files.write(shared.resolve("docs.jsonl"), lines);
        text = Files.writeString(shared.resolve("book.txt"), "A whole book in one file.\nThe model reads it.\n");
    }

    /** One shard as an independent reader sees it: the llm.c header by hand, with DataInputStream. */
    record Shard(int version, int[] tokens) {}

    static Shard readShard(Path file) throws IOException {
        try (var in = new DataInputStream(Files.newInputStream(file))) {
            int[] header = new int[256];
            for (int i = 0; i < 256; i++) {
                header[i] = Integer.reverseBytes(in.readInt());
            }
            assertEquals(20240520, header[0], file.toString());
            int width = header[1] == 1 ? 2 : 4;
            assertTrue(header[1] == 1 || header[1] == 2, file.toString());
            assertEquals(1024 + (long) header[2] * width, Files.size(file), file + ": header count vs file size");
            int[] tokens = new int[header[2]];
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = width == 2 ? Short.toUnsignedInt(Short.reverseBytes(in.readShort()))
                        : Integer.reverseBytes(in.readInt());
            }
            return new Shard(header[1], tokens);
        }
    }

    /** The documents of a split: its shards' tokens concatenated and cut at BOS, decoded. */
    static List<String> split(Path out, String split, Tokenizer tok, int bos) throws IOException {
        var tokens = new ArrayList<Integer>();
        try (Stream<Path> files = Files.list(out)) {
            for (Path file : files.filter(p -> p.getFileName().toString().startsWith(split + "_")).sorted().toList()) {
                for (int t : readShard(file).tokens()) {
                    tokens.add(t);
                }
            }
        }
        var docs = new ArrayList<String>();
        int start = -1;
        for (int i = 0; i <= tokens.size(); i++) {
            if (i == tokens.size() || tokens.get(i) == bos) {
                if (start >= 0) {
                    docs.add(tok.decode(tokens.subList(start + 1, i).stream().mapToInt(Integer::intValue).toArray()));
                }
                start = i;
            } else {
                assertTrue(start >= 0, split + ": tokens before the first BOS");
            }
        }
        return docs;
    }

    static double rank(String text) throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        return (new java.math.BigInteger(1, java.util.Arrays.copyOf(digest, 8)).longValue() >>> 11) / Math.pow(2, 53);
    }

    @Test
    void documentsBecomeLlmcShardsSplitByTextHash(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("tokens");
        CliTest.Run run = CliTest.run("", "tokenize", "--tokenizer", tokenizerDir.toString(), "--input", jsonl.toString(),
                text.toString(), "--out", out.toString(), "--val-fraction", "0.2", "--shard-tokens", "500");
        assertEquals(0, run.exitCode(), run.stderr());
        int bos = tokenizer.specialId("<|bos|>");

        List<String> train = split(out, "train", tokenizer, bos);
        List<String> val = split(out, "val", tokenizer, bos);
        var all = new ArrayList<>(documents);
        all.add(Files.readString(text));
        var expectedVal = new ArrayList<String>();
        var expectedTrain = new ArrayList<String>();
        for (String doc : all) {
            (rank(doc) < 0.2 ? expectedVal : expectedTrain).add(doc);
        }
        // val keeps input order; train too, but for the one document held back in case no other goes to val
        assertEquals(expectedVal, val);
        assertEquals(expectedTrain.stream().sorted().toList(), train.stream().sorted().toList());
        assertTrue(val.size() >= 5 && val.size() <= 22, "val documents: " + val.size());
        assertTrue(readShard(out.resolve("train_000000.bin")).tokens().length == 500);
        assertEquals(1, readShard(out.resolve("train_000000.bin")).version());

        JsonNode meta = new ObjectMapper().readTree(out.resolve("meta.json").toFile());
        assertEquals(tokenizer.vocabSize(), meta.get("vocab_size").asInt());
        assertEquals(bos, meta.get("bos_id").asInt());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(tokenizerDir.resolve("tokenizer.json")))), meta.get("tokenizer_sha256").asText());
        assertEquals(train.size(), meta.get("train").get("documents").asInt());
        assertEquals(val.size(), meta.get("val").get("documents").asInt());
        assertEquals(2, meta.get("skipped").get("bad_json").asInt());
        assertEquals(1, meta.get("skipped").get("empty_text").asInt());
        assertTrue(run.out().contains("skipped: 3 (bad_json 2, empty_text 1)"), run.out());
        assertTrue(run.out().contains("%,d documents from 2 file(s)".formatted(all.size())), run.out());
        assertTrue(run.stderr().contains("docs.jsonl:13: skipped"), run.stderr());
        assertEquals(run.out(), Files.readString(out.resolve("summary.txt")));

        // what training needs: the shards open and check, the tokenizer is recognised, and the UTF-8 bytes of
        // the targets (for bits per byte) come from the tokenizer alone: BOS has none
        TokenShards shards = TokenShards.open(out);
        shards.meta().checkTokenizer(tokenizer.vocabSize(), tokenizerDir.toString(), meta.get("tokenizer_sha256").asText());
        long valBytes = 0;
        for (String doc : val) {
            valBytes += doc.getBytes(StandardCharsets.UTF_8).length;
        }
        assertEquals(valBytes, shards.meta().val().bytes());
        long tokenBytes = 0;
        for (var shard : shards.val()) {
            for (long i = 0; i < shard.size(); i++) {
                int id = shard.get(i);
                tokenBytes += tokenizer.isSpecial(id) ? 0 : tokenizer.bytes(id).length;
            }
        }
        assertEquals(valBytes, tokenBytes);
        Batch batch = new TrainWindows(shards.train(), 16, 1).next(4);
        assertEquals(64, batch.inputs().length);
    }

    @Test
    void outputIsTheSameForAnyThreadCountAndARerunReplacesIt(@TempDir Path dir) throws Exception {
        Path one = dir.resolve("one");
        Path four = dir.resolve("four");
        assertEquals(0, tokenize(one, "--threads", "1", "--shard-tokens", "300").exitCode());
        assertEquals(0, tokenize(four, "--threads", "4", "--shard-tokens", "300").exitCode());
        List<String> shards = names(one);
        assertTrue(shards.size() > 4, shards.toString());
        assertEquals(shards, names(four));
        for (String name : shards.stream().filter(name -> !name.equals("summary.txt")).toList()) {
            assertArrayEquals(Files.readAllBytes(one.resolve(name)), Files.readAllBytes(four.resolve(name)), name);
        }
        // a rerun with larger shards leaves only its own shards behind
        assertEquals(0, tokenize(one, "--shard-tokens", "100000").exitCode());
        assertEquals(List.of("meta.json", "summary.txt", "train_000000.bin", "val_000000.bin"), names(one));
    }

    @Test
    void atLeastOneValDocumentUnlessTheFractionIsZero(@TempDir Path dir) throws Exception {
        CliTest.Run tiny = tokenize(dir.resolve("tiny"), "--val-fraction", "0.000001");
        assertEquals(0, tiny.exitCode(), tiny.stderr());
        assertTrue(tiny.out().matches("(?s).*val +1 documents.*"), tiny.out());
        // the one val document is the one whose text hashes lowest
        String lowest = documents.stream().min(java.util.Comparator.comparingDouble(d -> {
            try {
                return rank(d);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        })).orElseThrow();
        assertEquals(List.of(lowest), split(dir.resolve("tiny"), "val", tokenizer, tokenizer.specialId("<|bos|>")));

        CliTest.Run none = tokenize(dir.resolve("none"), "--val-fraction", "0");
        assertTrue(none.out().matches("(?s).*val +0 documents.*"), none.out());
        assertFalse(Files.exists(dir.resolve("none").resolve("val_000000.bin")));
    }

    @Test
    void aBuiltInEncodingWithALargeVocabularyWritesUint32ShardsStartingAtEndOfText(@TempDir Path dir) throws Exception {
        CliTest.Run run = CliTest.run("", "tokenize", "--tokenizer", "cl100k_base", "--input", text.toString(), "--out",
                dir.toString());
        assertEquals(0, run.exitCode(), run.stderr());
        Shard shard = readShard(dir.resolve("train_000000.bin"));
        assertEquals(2, shard.version());
        Tokenizer cl100k = Tokenizer.load("cl100k_base");
        int[] expected = cl100k.encode(Files.readString(text));
        assertEquals(100257, shard.tokens()[0]);
        assertArrayEquals(expected, java.util.Arrays.copyOfRange(shard.tokens(), 1, shard.tokens().length));
        JsonNode meta = new ObjectMapper().readTree(dir.resolve("meta.json").toFile());
        assertTrue(meta.get("tokenizer_sha256").isNull());
        assertEquals("cl100k_base", meta.get("tokenizer").asText());
    }

    @Test
    void badInputIsAClearErrorOrASkippedFile(@TempDir Path dir) throws Exception {
        CliTest.Run missing = tokenize(dir.resolve("a"), "--input", dir.resolve("nope.jsonl").toString());
        assertEquals(1, missing.exitCode());
        assertTrue(missing.stderr().contains("nope.jsonl: no such file"), missing.stderr());

        Path warc = Files.writeString(dir.resolve("crawl.warc"), "WARC/1.0\r\n");
        CliTest.Run html = tokenize(dir.resolve("b"), "--input", warc.toString());
        assertTrue(html.stderr().contains("crawl.warc: web pages (WARC or HTML) need the data stage first"), html.stderr());

        CliTest.Run fraction = tokenize(dir.resolve("c"), "--val-fraction", "1.5");
        assertTrue(fraction.stderr().contains("--val-fraction must be between 0 and 1"), fraction.stderr());

        // a corrupt compressed file is skipped and counted; the good one is still tokenized
        Path corrupt = Files.write(dir.resolve("broken.jsonl.gz"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        CliTest.Run skipped = tokenize(dir.resolve("d"), "--input", corrupt.toString(), text.toString());
        assertEquals(0, skipped.exitCode(), skipped.stderr());
        assertTrue(skipped.out().contains("skipped: 1 (file_error 1)"), skipped.out());
        assertTrue(skipped.stderr().matches("(?s).*skipped \\S*broken.jsonl.gz \\(\\S*broken.jsonl.gz: not a valid .gz file.*"),
                skipped.stderr());
    }

    @Test
    void aDataRunDirectoryMeansItsDocumentsInEitherOfItsFormats(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(data.resolve("documents"));
        // what jchat data writes: zstd JSONL and Parquet shards of FineWeb rows, beside its stats
        for (DocumentWriter.Format format : DocumentWriter.Format.values()) {
            try (DocumentWriter writer = format.create(data.resolve("documents").resolve(format + format.extension()))) {
                for (int d = 0; d < documents.size(); d++) {
                    writer.write(new Document(documents.get(d), format + "-" + d));
                }
            }
        }
        Files.writeString(data.resolve("stats.json"), "[{\"name\": \"not a document\"}]");
        Path out = dir.resolve("tokens");
        CliTest.Run run = tokenize(out, "--input", data.toString());
        assertEquals(0, run.exitCode(), run.stderr());
        assertTrue(run.out().contains("120 documents from 2 file(s)"), run.out());
        assertTrue(run.out().contains("skipped: nothing"), run.out());
        var both = new ArrayList<>(documents);
        both.addAll(documents);
        var tokenized = new ArrayList<>(split(out, "train", tokenizer, tokenizer.specialId("<|bos|>")));
        tokenized.addAll(split(out, "val", tokenizer, tokenizer.specialId("<|bos|>")));
        assertEquals(both.stream().sorted().toList(), tokenized.stream().sorted().toList());
    }

    private static CliTest.Run tokenize(Path out, String... options) {
        var args = new ArrayList<>(List.of("tokenize", "--tokenizer", tokenizerDir.toString(), "--input",
                jsonl.toString(), "--out", out.toString()));
        int input = args.indexOf("--input");
        for (int i = 0; i < options.length; i++) {
            if (options[i].equals("--input")) {
                // replace the default input with the option's files
                args.remove(input + 1);
                int at = input + 1;
                while (i + 1 < options.length && !options[i + 1].startsWith("--")) {
                    args.add(at++, options[++i]);
                }
            } else {
                args.add(options[i]);
            }
        }
        return CliTest.run("", args.toArray(String[]::new));
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
