package dev.jchat.data.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jchat.data.Document;
import dev.jchat.data.StepStats;
import dev.jchat.data.pipeline.LocalExecutor;
import dev.jchat.data.pipeline.RunLayout;
import dev.jchat.data.pipeline.Stage;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.io.LocalInputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ParquetDocumentWriter} and {@link ParquetDocumentReader}: round trips, FineWeb's schema, and interop
 * with an independent implementation, DuckDB (see {@code parquet-peer.mjs}; data/pom.xml installs it from npm),
 * both ways: DuckDB reads what we write with identical values, and we read what DuckDB writes.
 */
class ParquetDocumentTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The columns of FineWeb's shards on HF, as DuckDB names their Parquet types, then ours. */
    private static final String FINEWEB_TYPES = "text VARCHAR, id VARCHAR, dump VARCHAR, url VARCHAR, date VARCHAR, "
            + "file_path VARCHAR, language VARCHAR, language_score DOUBLE, token_count BIGINT";

    @TempDir
    Path dir;

    /** Documents with every kind of value a shard holds: unicode, empty strings, missing fields, a large text. */
    static List<Document> documents() {
        var documents = new ArrayList<Document>();
        documents.add(fineweb("Hello, world.\nSecond line.", "<urn:uuid:1c2f8a4e-0000-4000-8000-000000000001>",
                "CC-MAIN-2013-20", "http://example.com/a", "2013-05-18T05:48:54Z",
                "s3://commoncrawl/crawl-data/CC-MAIN-2013-20/segments/1368696381249/warc/CC-MAIN-20130516092621-00000-ip-10-60-113-184.ec2.internal.warc.gz",
                "en", 0.9185633659362793, 7L));
        documents.add(fineweb("naïve café — 日本語のテキスト 🎉 \"quoted\" \\ back\tslash \u0000 nul, \u2028 separator",
                "ü-2", "CC-MAIN-2024-10", "https://例え.jp/パス?q=ü", "2024-02-21T10:00:00Z", "s3://x/y.warc.gz",
                "ja", 1.0, 0L));
        documents.add(fineweb("", "", "", "", "", "", "", 0.0, 0L));
        documents.add(new Document("only text and id", "bare"));
        var large = new StringBuilder();
        for (int i = 0; large.length() < 3_000_000; i++) {
            large.append("Line ").append(i).append(": the quick brown fox ").append(Integer.toHexString(i * 0x9E3779B9))
                    .append(" ünïcödé\n");
        }
        documents.add(fineweb(large.toString(), "large", "CC-MAIN-2024-10", "http://example.com/large",
                "2024-02-21T10:00:00Z", "s3://x/y.warc.gz", "en", 0.5, 1_234_567_890_123L));
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("list", List.of(1L, 2.5, true, "x"));
        nested.put("inner", Map.of("k", "v"));
        documents.add(new Document("with extra metadata", "extra")
                .with(Document.URL, "http://example.com/extra")
                .with(Document.LANGUAGE_SCORE, 0.25)
                .with(Document.FILTER_REASON, "duplicate")
                .with("nested", nested)
                .with("count", 42L)
                .with("flag", false)
                .with("score", -1.5e-300));
        return documents;
    }

    static Document fineweb(String text, String id, String dump, String url, String date, String filePath,
                            String language, double score, long tokens) {
        return new Document(text, id).with(Document.DUMP, dump).with(Document.URL, url).with(Document.DATE, date)
                .with(Document.FILE_PATH, filePath).with(Document.LANGUAGE, language)
                .with(Document.LANGUAGE_SCORE, score).with(Document.TOKEN_COUNT, tokens);
    }

    @Test
    void roundTripKeepsEveryValue() throws IOException {
        for (ParquetDocumentWriter.Codec codec : ParquetDocumentWriter.Codec.values()) {
            Path file = dir.resolve("round-" + codec + ".parquet");
            write(file, documents(), codec, ParquetDocumentWriter.ROW_GROUP_BYTES);
            var stats = new StepStats("reader");
            assertEquals(documents(), read(file, stats), codec.name());
            assertEquals(Map.of("documents", (long) documents().size()), stats.counts());
        }
    }

    @Test
    void valuesThatDoNotFitTheirColumnKeepTheirTypeInMetadata() throws IOException {
        var odd = new Document("odd", "odd").with(Document.TOKEN_COUNT, "12").with(Document.URL, 5L)
                .with(Document.LANGUAGE_SCORE, 0.75f).with("small", 3);
        Path file = dir.resolve("odd.parquet");
        write(file, List.of(odd), ParquetDocumentWriter.Codec.ZSTD, ParquetDocumentWriter.ROW_GROUP_BYTES);
        Document back = read(file, new StepStats("reader")).getFirst();
        assertEquals("12", back.metadata().get(Document.TOKEN_COUNT));
        assertEquals(5L, back.metadata().get(Document.URL));
        assertEquals(0.75, back.metadata().get(Document.LANGUAGE_SCORE));
        assertEquals(3L, back.metadata().get("small"));
        JsonNode row = peer("SELECT to_json(t)::VARCHAR AS j FROM read_parquet('" + file + "') t").getFirst();
        assertTrue(row.get("url").isNull() && row.get("token_count").isNull());
        assertEquals(JSON.readTree("{\"url\":5,\"token_count\":\"12\",\"small\":3}"),
                JSON.readTree(row.get("metadata").asText()));
    }

    @Test
    void schemaIsFineWebsWithAMetadataColumn() throws IOException {
        Path file = dir.resolve("schema.parquet");
        write(file, documents(), ParquetDocumentWriter.Codec.ZSTD, ParquetDocumentWriter.ROW_GROUP_BYTES);
        try (var reader = ParquetFileReader.open(new LocalInputFile(file))) {
            ParquetMetadata footer = reader.getFooter();
            assertEquals("""
                    message document {
                      optional binary text (STRING);
                      optional binary id (STRING);
                      optional binary dump (STRING);
                      optional binary url (STRING);
                      optional binary date (STRING);
                      optional binary file_path (STRING);
                      optional binary language (STRING);
                      optional double language_score;
                      optional int64 token_count;
                      optional binary metadata (STRING);
                    }
                    """, footer.getFileMetaData().getSchema().toString());
            for (BlockMetaData block : footer.getBlocks()) {
                for (ColumnChunkMetaData column : block.getColumns()) {
                    assertEquals("ZSTD", column.getCodec().name(), column.getPath().toString());
                }
            }
        }
        var described = new ArrayList<String>();
        for (JsonNode column : peer("DESCRIBE SELECT * FROM read_parquet('" + file + "')")) {
            described.add(column.get("column_name").asText() + " " + column.get("column_type").asText());
        }
        assertEquals(FINEWEB_TYPES + ", metadata VARCHAR", String.join(", ", described));
    }

    @Test
    void peerReadsWhatWeWriteWithIdenticalValues() throws IOException {
        Path file = dir.resolve("ours.parquet");
        List<Document> documents = new ArrayList<>(documents());
        for (int i = 0; i < 1000; i++) {
            documents.add(fineweb("filler " + i, "f" + i, "CC-MAIN-2024-10", "http://example.com/" + i, "2024-02-21T10:00:00Z",
                    "s3://x/y.warc.gz", "en", i / 1000.0, i));
        }
        // small row groups, so that the peer reads several
        write(file, documents, ParquetDocumentWriter.Codec.SNAPPY, 16 << 10);
        List<JsonNode> rows = peer("SELECT to_json(t)::VARCHAR AS j FROM read_parquet('" + file + "') t");
        assertEquals(documents.size(), rows.size());
        for (int i = 0; i < documents.size(); i++) {
            JsonNode row = rows.get(i);
            ObjectNode expected = expectedRow(documents.get(i));
            // the metadata column is a JSON text: compare it parsed
            JsonNode metadata = ((ObjectNode) row).remove("metadata");
            assertEquals(expected.remove("metadata"), metadata.isNull() ? metadata : JSON.readTree(metadata.asText()),
                    "metadata of row " + i);
            assertEquals(expected, row, "row " + i);
        }
        JsonNode summary = peer("SELECT count(DISTINCT row_group_id) AS groups, string_agg(DISTINCT compression) AS codecs "
                + "FROM parquet_metadata('" + file + "')").getFirst();
        assertTrue(summary.get("groups").asInt() > 1, summary.toString());
        assertEquals("SNAPPY", summary.get("codecs").asText());
    }

    /** A document as the peer shows a row of our file: every FineWeb column (null where absent), metadata parsed. */
    private static ObjectNode expectedRow(Document document) throws IOException {
        // through JSON text, so that numbers compare by value as the peer's parsed ones (7L = 7)
        return (ObjectNode) JSON.readTree(JSON.writeValueAsString(row(document)));
    }

    private static ObjectNode row(Document document) {
        ObjectNode row = JSON.createObjectNode();
        row.put("text", document.text());
        row.put("id", document.id());
        var rest = new LinkedHashMap<>(document.metadata());
        for (String column : JsonlDocumentWriter.SCHEMA) {
            row.set(column, JSON.valueToTree(rest.remove(column)));
        }
        row.set("metadata", rest.isEmpty() ? JSON.nullNode() : JSON.valueToTree(rest));
        return row;
    }

    @Test
    void weReadAFineWebShardAsThePeerWritesIt() throws IOException {
        List<Document> documents = documents();
        Path jsonl = dir.resolve("fineweb.jsonl");
        try (var out = Files.newBufferedWriter(jsonl)) {
            for (Document document : documents) {
                ObjectNode row = expectedRow(document);
                row.remove("metadata");
                out.write(JSON.writeValueAsString(row) + "\n");
            }
        }
        var expected = new ArrayList<Document>();
        for (Document document : documents) {
            var fields = new LinkedHashMap<String, Object>();
            for (String column : JsonlDocumentWriter.SCHEMA) {
                if (document.metadata().containsKey(column)) {
                    fields.put(column, document.metadata().get(column));
                }
            }
            expected.add(new Document(document.text(), document.id(), fields));
        }
        String select = "SELECT * FROM read_json('" + jsonl + "', format = 'newline_delimited', maximum_object_size = 16000000, "
                + "columns = {" + FINEWEB_TYPES.replaceAll("(\\w+) (\\w+)", "$1: '$2'") + "})";
        // as HF publishes FineWeb (snappy, format v1 pages); then zstd with v2 pages and several row groups
        for (String options : List.of("COMPRESSION snappy", "COMPRESSION zstd, PARQUET_VERSION v2, ROW_GROUP_SIZE 2",
                "COMPRESSION gzip", "COMPRESSION lz4_raw", "COMPRESSION uncompressed")) {
            Path file = dir.resolve("peer.parquet");
            peer("COPY (" + select + ") TO '" + file + "' (FORMAT parquet, " + options + ")");
            var stats = new StepStats("reader");
            assertEquals(expected, read(file, stats), options);
            assertEquals(Map.of("documents", (long) expected.size()), stats.counts(), options);
        }
        // many row groups, read in order
        Path many = dir.resolve("many.parquet");
        peer("COPY (SELECT 'text ' || i AS text, 'id' || i AS id, i AS token_count FROM range(10000) t(i)) TO '"
                + many + "' (FORMAT parquet, ROW_GROUP_SIZE 2048)");
        try (var reader = ParquetFileReader.open(new LocalInputFile(many))) {
            assertTrue(reader.getRowGroups().size() > 1, "row groups: " + reader.getRowGroups().size());
        }
        List<Document> read = read(many, new StepStats("reader"));
        assertEquals(10000, read.size());
        for (int i = 0; i < read.size(); i++) {
            assertEquals(new Document("text " + i, "id" + i, Map.of(Document.TOKEN_COUNT, (long) i)), read.get(i));
        }
    }

    @Test
    void missingColumnsExtraColumnsAndNullTexts() throws IOException {
        Path file = dir.resolve("extra.parquet");
        peer("COPY (SELECT * FROM (VALUES "
                + "('first', 7, true, 0.5::FLOAT, TIMESTAMP '2024-01-02 03:04:05', DATE '2024-01-02', ['a', 'b'], "
                + "{'a': 1, 'b': 'x'}, MAP {'k': 1}, '{\"source\": \"peer\", \"n\": 3}'),"
                + "(NULL, 8, false, 1.5::FLOAT, NULL, NULL, [], NULL, NULL, NULL),"
                + "('third', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'not json')"
                + ") t(text, n, ok, f, ts, d, tags, info, m, metadata)) TO '" + file + "' (FORMAT parquet)");
        var stats = new StepStats("reader");
        List<Document> documents = read(file, stats);
        assertEquals(Map.of("documents", 2L, "skipped_no_text", 1L), stats.counts());
        Map<String, Object> first = new LinkedHashMap<>();
        first.put("n", 7L);
        first.put("ok", true);
        first.put("f", 0.5);
        first.put("ts", "2024-01-02T03:04:05Z");
        first.put("d", "2024-01-02");
        first.put("tags", List.of("a", "b"));
        first.put("info", Map.of("a", 1L, "b", "x"));
        first.put("m", Map.of("k", 1L));
        first.put("source", "peer"); // from the metadata JSON, whose "n" does not overwrite the column's
        assertEquals(new Document("first", "extra.parquet/0", first), documents.get(0));
        assertEquals(new Document("third", "extra.parquet/2", Map.of("metadata", "not json")), documents.get(1));
    }

    @Test
    void truncatedAndCorruptFilesAreCountedNotThrown() throws IOException {
        Path good = dir.resolve("good.parquet");
        List<Document> documents = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            documents.add(new Document("document " + i + " " + "x".repeat(i % 97), "d" + i).with(Document.TOKEN_COUNT, (long) i));
        }
        write(good, documents, ParquetDocumentWriter.Codec.ZSTD, 16 << 10);
        byte[] bytes = Files.readAllBytes(good);

        Path truncated = dir.resolve("truncated.parquet");
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        var stats = new StepStats("reader");
        assertEquals(List.of(), read(truncated, stats));
        assertEquals(Map.of("file_error", 1L), stats.counts());

        Path garbage = dir.resolve("garbage.parquet");
        Files.writeString(garbage, "{\"text\": \"this is JSON, not Parquet\"}\n");
        stats = new StepStats("reader");
        assertEquals(List.of(), read(garbage, stats));
        assertEquals(Map.of("file_error", 1L), stats.counts());

        Path noText = dir.resolve("no-text.parquet");
        peer("COPY (SELECT 1 AS x) TO '" + noText + "' (FORMAT parquet)");
        stats = new StepStats("reader");
        assertEquals(List.of(), read(noText, stats));
        assertEquals(Map.of("file_error", 1L), stats.counts());

        // damage the text pages of the second row group: that group is lost, the others are read
        List<BlockMetaData> blocks;
        try (var reader = ParquetFileReader.open(new LocalInputFile(good))) {
            blocks = reader.getFooter().getBlocks();
        }
        assertTrue(blocks.size() >= 3, "row groups: " + blocks.size());
        ColumnChunkMetaData text = blocks.get(1).getColumns().getFirst();
        Path corrupt = dir.resolve("corrupt.parquet");
        Files.write(corrupt, bytes);
        try (var file = new RandomAccessFile(corrupt.toFile(), "rw")) {
            long middle = text.getStartingPos() + text.getTotalSize() / 2;
            for (long at = middle; at < middle + 16; at++) {
                file.seek(at);
                int b = file.read();
                file.seek(at);
                file.write(b ^ 0x5A);
            }
        }
        stats = new StepStats("reader");
        List<Document> survivors = read(corrupt, stats);
        long lost = blocks.get(1).getRowCount();
        assertEquals(1L, stats.count("file_error"));
        assertEquals(lost, stats.count("skipped_bad_row_group"));
        var expected = new ArrayList<>(documents.subList(0, (int) blocks.get(0).getRowCount()));
        expected.addAll(documents.subList((int) (blocks.get(0).getRowCount() + lost), documents.size()));
        assertEquals(expected, survivors);
    }

    @Test
    void executorWritesParquetShardsThatReadBack() throws Exception {
        Path input = dir.resolve("in.jsonl");
        try (var out = new JsonlDocumentWriter(input)) {
            for (Document document : documents()) {
                out.write(document);
            }
        }
        var layout = new RunLayout(dir.resolve("run"));
        var executor = new LocalExecutor(layout, 1, false, LocalExecutor.Progress.NONE, DocumentWriter.Format.PARQUET);
        executor.run(new Stage("documents", List.of(input), DocumentReader::forFile,
                new Stage.StepChain(List.of(), List.of()), null));
        Path shard = executor.taskOutput("documents", 0);
        assertEquals("00000.parquet", shard.getFileName().toString());
        try (var files = Files.list(shard.getParent())) {
            assertEquals(List.of(shard), files.toList());
        }
        assertInstanceOf(ParquetDocumentReader.class, DocumentReader.forFile(shard));
        assertEquals(documents(), read(shard, new StepStats("reader")));
    }

    private static void write(Path file, List<Document> documents, ParquetDocumentWriter.Codec codec, long rowGroupBytes)
            throws IOException {
        try (var writer = new ParquetDocumentWriter(file, codec, rowGroupBytes)) {
            for (Document document : documents) {
                writer.write(document);
            }
            assertEquals(documents.size(), writer.written());
        }
    }

    private static List<Document> read(Path file, StepStats stats) throws IOException {
        var documents = new ArrayList<Document>();
        DocumentReader.forFile(file).read(file, documents::add, stats);
        return documents;
    }

    /**
     * Runs SQL statements in DuckDB; the rows of the last one, each a JSON object (a single {@code j} column
     * holding a JSON text is unpacked).
     */
    private List<JsonNode> peer(String... statements) throws IOException {
        Path modules = Path.of(System.getProperty("jchat.parquetPeer", "target/parquet-peer/node_modules"));
        if (!Files.isDirectory(modules.resolve("@duckdb/node-api"))) {
            throw new IllegalStateException("the Parquet peer is missing: " + modules.toAbsolutePath()
                    + "/@duckdb/node-api (data/pom.xml installs it with npm at generate-test-resources)");
        }
        Path script;
        try {
            script = Path.of(ParquetDocumentTest.class.getResource("parquet-peer.mjs").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        var command = new ArrayList<>(List.of("node", script.toString(), modules.toAbsolutePath().toString()));
        command.addAll(List.of(statements));
        Path errors = Files.createTempFile(dir, "peer", ".err");
        Process process = new ProcessBuilder(command).redirectError(errors.toFile()).start();
        byte[] out = process.getInputStream().readAllBytes();
        try {
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("the Parquet peer timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("the Parquet peer failed (" + process.exitValue() + "): "
                    + Files.readString(errors));
        }
        var rows = new ArrayList<JsonNode>();
        for (JsonNode row : JSON.readTree(new String(out, StandardCharsets.UTF_8))) {
            rows.add(row.size() == 1 && row.has("j") ? JSON.readTree(row.get("j").asText()) : row);
        }
        return rows;
    }
}
