package dev.jchat.data.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.jchat.data.Document;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

/**
 * Writes documents as Apache Parquet in the schema of the FineWeb shards HF publishes, all columns optional:
 * <pre>
 *   text, id, dump, url, date, file_path, language   UTF-8 strings (BYTE_ARRAY, STRING)
 *   language_score                                   DOUBLE
 *   token_count                                      INT64
 *   metadata                                         UTF-8 string: a JSON object (see below)
 * </pre>
 * FineWeb has no {@code metadata} column: it holds every other metadata entry as one JSON object (as the JSONL
 * writer's nested {@code metadata}), null when there is none. Readers that don't know it (pyarrow, DuckDB,
 * HF's viewer) see a string column; {@link ParquetDocumentReader} merges it back. A value that does not fit its
 * column's type (a {@code token_count} that is not an integer, a {@code url} that is not a string) goes into
 * {@code metadata} under its own name instead of the column, so nothing is lost.
 *
 * <p>zstd (level 3, as datatrove's JSONL) or snappy; row groups of about {@value #ROW_GROUP_BYTES} bytes
 * compressed (the unit readers load, and the most one corrupt region costs), pages of 1 MiB with CRCs;
 * dictionary encoding only for the low-cardinality columns ({@code dump, file_path, language}); no min/max
 * statistics for {@code text} and {@code metadata}. The whole row group is buffered in memory until it is full.
 */
public final class ParquetDocumentWriter implements DocumentWriter {
    /** Compressed bytes buffered per row group before it is flushed. */
    public static final long ROW_GROUP_BYTES = 32L << 20;

    /** The page compression. */
    public enum Codec {
        ZSTD(CompressionCodecName.ZSTD),
        SNAPPY(CompressionCodecName.SNAPPY);

        private final CompressionCodecName name;

        Codec(CompressionCodecName name) {
            this.name = name;
        }
    }

    private static final String[] STRING_COLUMNS = {Document.DUMP, Document.URL, Document.DATE, Document.FILE_PATH,
            Document.LANGUAGE};
    /** The file schema, in FineWeb's column order; {@code metadata} last. */
    public static final MessageType SCHEMA = schema();
    private static final JsonFactory JSON = new JsonFactory();

    private final ParquetWriter<Row> writer;
    private long written;

    /** A zstd-compressed file with the default row group size. */
    public ParquetDocumentWriter(Path file) throws IOException {
        this(file, Codec.ZSTD, ROW_GROUP_BYTES);
    }

    /** Replaces {@code file} if it exists. */
    public ParquetDocumentWriter(Path file, Codec codec, long rowGroupBytes) throws IOException {
        this.writer = new Builder(new LocalOutputFile(file))
                .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                .withCompressionCodec(codec.name)
                .withRowGroupSize(rowGroupBytes)
                .withPageSize(1 << 20)
                .withPageWriteChecksumEnabled(true)
                .withWriterVersion(ParquetProperties.WriterVersion.PARQUET_1_0)
                .withDictionaryEncoding(false)
                .withDictionaryEncoding(Document.DUMP, true)
                .withDictionaryEncoding(Document.FILE_PATH, true)
                .withDictionaryEncoding(Document.LANGUAGE, true)
                .withStatisticsEnabled("text", false)
                .withStatisticsEnabled("metadata", false)
                .build();
    }

    @Override
    public void write(Document document) throws IOException {
        writer.write(Row.of(document));
        written++;
    }

    @Override
    public long written() {
        return written;
    }

    @Override
    public void close() throws IOException {
        writer.close();
    }

    private static MessageType schema() {
        var builder = Types.buildMessage();
        for (String column : new String[] {"text", "id"}) {
            builder.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(column);
        }
        for (String column : STRING_COLUMNS) {
            builder.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(column);
        }
        builder.optional(PrimitiveTypeName.DOUBLE).named(Document.LANGUAGE_SCORE);
        builder.optional(PrimitiveTypeName.INT64).named(Document.TOKEN_COUNT);
        builder.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("metadata");
        return builder.named("document");
    }

    /** One document's column values, checked against the column types before anything is written. */
    private record Row(String text, String id, String[] strings, Double languageScore, Long tokenCount,
                       String metadata) {

        static Row of(Document document) throws IOException {
            Map<String, Object> rest = new LinkedHashMap<>(document.metadata());
            var strings = new String[STRING_COLUMNS.length];
            for (int c = 0; c < STRING_COLUMNS.length; c++) {
                if (rest.get(STRING_COLUMNS[c]) instanceof String value) {
                    strings[c] = value;
                    rest.remove(STRING_COLUMNS[c]);
                }
            }
            Double score = switch (rest.get(Document.LANGUAGE_SCORE)) {
                case Float f -> Double.parseDouble(f.toString());
                case Double d -> d;
                case Long l -> (double) l;
                case Integer i -> (double) i;
                case null, default -> null;
            };
            if (score != null) {
                rest.remove(Document.LANGUAGE_SCORE);
            }
            Long tokens = switch (rest.get(Document.TOKEN_COUNT)) {
                case Long l -> l;
                case Integer i -> (long) i;
                case Short s -> (long) s;
                case null, default -> null;
            };
            if (tokens != null) {
                rest.remove(Document.TOKEN_COUNT);
            }
            return new Row(document.text(), document.id(), strings, score, tokens, rest.isEmpty() ? null : json(rest));
        }

        private static String json(Map<String, Object> entries) throws IOException {
            var out = new StringWriter();
            try (JsonGenerator json = JSON.createGenerator(out)) {
                JsonlDocumentWriter.writeValue(json, entries);
            }
            return out.toString();
        }
    }

    private static final class Builder extends ParquetWriter.Builder<Row, Builder> {
        Builder(OutputFile file) {
            super(file);
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        @SuppressWarnings("deprecation") // abstract in parquet-java; Configuration is parquet-floor's stub
        protected WriteSupport<Row> getWriteSupport(Configuration conf) {
            return new RowWriteSupport();
        }
    }

    private static final class RowWriteSupport extends WriteSupport<Row> {
        private RecordConsumer out;

        @Override
        @SuppressWarnings("deprecation") // abstract in parquet-java; Configuration is parquet-floor's stub
        public WriteContext init(Configuration configuration) {
            return new WriteContext(SCHEMA, Map.of());
        }

        @Override
        public void prepareForWrite(RecordConsumer recordConsumer) {
            this.out = recordConsumer;
        }

        @Override
        public void write(Row row) {
            out.startMessage();
            int field = 0;
            string(field++, row.text());
            string(field++, row.id());
            for (String value : row.strings()) {
                string(field++, value);
            }
            if (row.languageScore() != null) {
                out.startField(Document.LANGUAGE_SCORE, field);
                out.addDouble(row.languageScore());
                out.endField(Document.LANGUAGE_SCORE, field);
            }
            field++;
            if (row.tokenCount() != null) {
                out.startField(Document.TOKEN_COUNT, field);
                out.addLong(row.tokenCount());
                out.endField(Document.TOKEN_COUNT, field);
            }
            field++;
            string(field, row.metadata());
            out.endMessage();
        }

        private void string(int field, String value) {
            if (value != null) {
                String name = SCHEMA.getFieldName(field);
                out.startField(name, field);
                out.addBinary(Binary.fromString(value));
                out.endField(name, field);
            }
        }
    }
}
