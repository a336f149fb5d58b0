package dev.jchat.data.io;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import dev.jchat.data.Document;
import dev.jchat.data.StepStats;
import io.airlift.compress.lz4.Lz4Decompressor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.zip.GZIPInputStream;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Parquet files of documents: FineWeb's shards as HF publishes them (pyarrow-written: {@code text, id, dump, url,
 * date, file_path, language, language_score, token_count}), and what {@link ParquetDocumentWriter} writes.
 *
 * <p>Only {@code text} is needed (a UTF-8 string column at the top level; a file without one is a
 * {@code file_error}, a row whose text is null is {@code skipped_no_text}). A null or missing {@code id} becomes
 * {@code <file name>/<row index>} (0-based, as datatrove's ParquetReader). Every other column becomes a metadata
 * entry, null ones left out, in column order: strings, integers as {@code Long}, floating point as
 * {@code Double}, booleans, dates and timestamps as ISO-8601 strings, lists and structs/maps as {@code List} and
 * {@code Map}. A {@code metadata} column (a JSON object as a string, as our writer puts there, or a struct/map)
 * is merged in without overwriting the columns, as the JSONL reader does with a nested {@code metadata}.
 *
 * <p>Damage costs only where it is: a file whose footer cannot be read (truncated, not Parquet) is one
 * {@code file_error} with no documents; a row group that fails to decode (page CRCs are checked when present)
 * is a {@code file_error}, its remaining rows counted as {@code skipped_bad_row_group}, and reading goes on
 * with the next row group.
 */
public final class ParquetDocumentReader implements DocumentReader {
    private static final JsonFactory JSON = new JsonFactory();
    /** The page codecs we decode (not the deprecated hadoop-framed LZ4, nor LZO or Brotli). */
    private static final Set<CompressionCodecName> CODECS = EnumSet.of(CompressionCodecName.UNCOMPRESSED,
            CompressionCodecName.SNAPPY, CompressionCodecName.GZIP, CompressionCodecName.ZSTD,
            CompressionCodecName.LZ4_RAW);

    @Override
    public boolean producesHtml() {
        return false;
    }

    @Override
    public void read(Path file, DocumentSink sink, StepStats stats) throws IOException {
        ParquetFileReader reader;
        try {
            var options = ParquetReadOptions.builder().usePageChecksumVerification(true)
                    .withCodecFactory(new Codecs(ParquetReadOptions.builder().build().getCodecFactory())).build();
            reader = ParquetFileReader.open(new LocalInputFile(file), options);
        } catch (NoSuchFileException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            fileError(file, stats, "not a readable Parquet file: " + e);
            return;
        }
        try (reader) {
            MessageType schema = reader.getFooter().getFileMetaData().getSchema();
            Columns columns;
            try {
                columns = Columns.of(schema);
            } catch (IllegalArgumentException e) {
                fileError(file, stats, e.getMessage());
                return;
            }
            for (BlockMetaData block : reader.getRowGroups()) {
                for (ColumnChunkMetaData chunk : block.getColumns()) {
                    if (!CODECS.contains(chunk.getCodec())) {
                        fileError(file, stats, "column " + chunk.getPath() + " is compressed with " + chunk.getCodec()
                                + "; supported: " + CODECS);
                        return;
                    }
                }
            }
            MessageColumnIO io = new ColumnIOFactory(reader.getFooter().getFileMetaData().getCreatedBy())
                    .getColumnIO(schema);
            String name = file.getFileName().toString();
            long row = 0;
            int groups = reader.getRowGroups().size();
            for (int group = 0; group < groups; group++) {
                long rows = reader.getRowGroups().get(group).getRowCount();
                RecordReader<Group> records = null;
                try {
                    records = io.getRecordReader(reader.readRowGroup(group), new GroupRecordConverter(schema));
                } catch (IOException | RuntimeException e) {
                    damaged(file, stats, group, rows, e);
                }
                for (long done = 0; records != null && done < rows; done++) {
                    Document document;
                    try {
                        document = columns.document(records.read(), name, row + done);
                    } catch (RuntimeException e) {
                        damaged(file, stats, group, rows - done, e);
                        break;
                    }
                    if (document == null) {
                        stats.increment("skipped_no_text");
                        continue;
                    }
                    stats.increment("documents");
                    sink.accept(document);
                }
                row += rows;
            }
        }
    }

    private static void fileError(Path file, StepStats stats, String message) {
        stats.increment("file_error");
        Warnings.warn(file + ": " + message);
    }

    /** A row group that failed to decode: {@code lost} of its rows were not read. */
    private static void damaged(Path file, StepStats stats, int group, long lost, Exception e) {
        fileError(file, stats, "row group " + group + " is damaged, " + lost + " rows skipped: " + e);
        stats.add("skipped_bad_row_group", lost);
    }

    /**
     * parquet-java's codecs, but GZIP from the JDK and LZ4_RAW from aircompressor (parquet-java's own two go
     * through Hadoop classes that parquet-floor does not stub).
     */
    private record Codecs(CompressionCodecFactory codecs) implements CompressionCodecFactory {
        @Override
        public BytesInputCompressor getCompressor(CompressionCodecName codec) {
            return codecs.getCompressor(codec);
        }

        @Override
        public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
            return switch (codec) {
                case GZIP -> new WholePage((in, size) -> {
                    try (var gzip = new GZIPInputStream(new ByteArrayInputStream(in))) {
                        return gzip.readNBytes(size);
                    }
                });
                case LZ4_RAW -> new WholePage((in, size) -> {
                    byte[] out = new byte[size];
                    int length = new Lz4Decompressor().decompress(in, 0, in.length, out, 0, size);
                    return length == size ? out : Arrays.copyOf(out, length);
                });
                default -> codecs.getDecompressor(codec);
            };
        }

        @Override
        public void release() {
            codecs.release();
        }
    }

    /** A page decompressor on byte arrays. */
    private record WholePage(Unpack unpack) implements CompressionCodecFactory.BytesInputDecompressor {
        interface Unpack {
            byte[] apply(byte[] compressed, int uncompressedSize) throws IOException;
        }

        @Override
        public BytesInput decompress(BytesInput bytes, int uncompressedSize) throws IOException {
            return BytesInput.from(page(bytes.toInputStream().readAllBytes(), uncompressedSize));
        }

        @Override
        public void decompress(ByteBuffer input, int compressedSize, ByteBuffer output, int uncompressedSize)
                throws IOException {
            byte[] compressed = new byte[compressedSize];
            input.get(compressed);
            output.put(page(compressed, uncompressedSize));
        }

        private byte[] page(byte[] compressed, int uncompressedSize) throws IOException {
            byte[] out = unpack.apply(compressed, uncompressedSize);
            if (out.length != uncompressedSize) {
                throw new IOException("page decompressed to " + out.length + " bytes, expected " + uncompressedSize);
            }
            return out;
        }

        @Override
        public void release() {}
    }

    /** Where the text, id and metadata are among a file's top-level columns. */
    private record Columns(GroupType schema, int text, int id, int metadata) {

        static Columns of(MessageType schema) {
            int text = schema.containsField("text") ? schema.getFieldIndex("text") : -1;
            if (text < 0 || !schema.getType(text).isPrimitive()
                    || schema.getType(text).asPrimitiveType().getPrimitiveTypeName() != PrimitiveType.PrimitiveTypeName.BINARY
                    || schema.getType(text).isRepetition(Type.Repetition.REPEATED)) {
                throw new IllegalArgumentException("no string column \"text\" at the top level of " + schema);
            }
            return new Columns(schema, text, index(schema, "id"), index(schema, "metadata"));
        }

        private static int index(MessageType schema, String name) {
            return schema.containsField(name) ? schema.getFieldIndex(name) : -1;
        }

        /** The row as a document, or null when its text is null. */
        Document document(Group row, String fileName, long index) {
            Object text = value(row, schema, this.text);
            if (!(text instanceof String string)) {
                return null;
            }
            Object idValue = id < 0 ? null : value(row, schema, id);
            Map<String, Object> metadata = new LinkedHashMap<>();
            for (int field = 0; field < schema.getFieldCount(); field++) {
                if (field != this.text && field != this.id && field != this.metadata) {
                    Object value = value(row, schema, field);
                    if (value != null) {
                        metadata.put(schema.getFieldName(field), value);
                    }
                }
            }
            if (this.metadata >= 0) {
                switch (value(row, schema, this.metadata)) {
                    case null -> {}
                    case Map<?, ?> map -> merge(metadata, map);
                    case String json -> {
                        Object parsed = parseJson(json);
                        if (parsed instanceof Map<?, ?> map) {
                            merge(metadata, map);
                        } else {
                            metadata.putIfAbsent("metadata", json);
                        }
                    }
                    case Object other -> metadata.putIfAbsent("metadata", other);
                }
            }
            return new Document(string, idValue != null ? idValue.toString() : fileName + "/" + index, metadata);
        }

        private static void merge(Map<String, Object> metadata, Map<?, ?> entries) {
            entries.forEach((key, value) -> {
                if (value != null) {
                    metadata.putIfAbsent(key.toString(), value);
                }
            });
        }
    }

    /** A field of a group as a plain Java value: null when absent, a list when repeated. */
    private static Object value(Group group, GroupType type, int field) {
        Type fieldType = type.getType(field);
        int count = group.getFieldRepetitionCount(field);
        if (fieldType.isRepetition(Type.Repetition.REPEATED)) {
            var list = new ArrayList<Object>(count);
            for (int i = 0; i < count; i++) {
                list.add(single(group, fieldType, field, i));
            }
            return list;
        }
        return count == 0 ? null : single(group, fieldType, field, 0);
    }

    private static Object single(Group group, Type type, int field, int index) {
        if (type.isPrimitive()) {
            return primitive(group, type.asPrimitiveType(), field, index);
        }
        Group nested = group.getGroup(field, index);
        GroupType groupType = type.asGroupType();
        LogicalTypeAnnotation logical = groupType.getLogicalTypeAnnotation();
        if (logical instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation && groupType.getFieldCount() == 1
                && groupType.getType(0).isRepetition(Type.Repetition.REPEATED)) {
            Type repeated = groupType.getType(0);
            var list = new ArrayList<Object>();
            for (int i = 0; i < nested.getFieldRepetitionCount(0); i++) {
                if (!repeated.isPrimitive() && repeated.asGroupType().getFieldCount() == 1
                        && !repeated.getName().equals("array") && !repeated.getName().endsWith("_tuple")) {
                    Group element = nested.getGroup(0, i);
                    list.add(value(element, repeated.asGroupType(), 0));
                } else {
                    list.add(single(nested, repeated, 0, i));
                }
            }
            return list;
        }
        if ((logical instanceof LogicalTypeAnnotation.MapLogicalTypeAnnotation
                || logical instanceof LogicalTypeAnnotation.MapKeyValueTypeAnnotation)
                && groupType.getFieldCount() == 1 && !groupType.getType(0).isPrimitive()
                && groupType.getType(0).asGroupType().getFieldCount() == 2) {
            GroupType entry = groupType.getType(0).asGroupType();
            var map = new LinkedHashMap<String, Object>();
            for (int i = 0; i < nested.getFieldRepetitionCount(0); i++) {
                Group pair = nested.getGroup(0, i);
                map.put(String.valueOf(value(pair, entry, 0)), value(pair, entry, 1));
            }
            return map;
        }
        var struct = new LinkedHashMap<String, Object>();
        for (int f = 0; f < groupType.getFieldCount(); f++) {
            struct.put(groupType.getFieldName(f), value(nested, groupType, f));
        }
        return struct;
    }

    private static Object primitive(Group group, PrimitiveType type, int field, int index) {
        LogicalTypeAnnotation logical = type.getLogicalTypeAnnotation();
        return switch (type.getPrimitiveTypeName()) {
            case BINARY, FIXED_LEN_BYTE_ARRAY -> {
                byte[] bytes = group.getBinary(field, index).getBytes();
                yield switch (logical) {
                    case LogicalTypeAnnotation.DecimalLogicalTypeAnnotation decimal ->
                            new BigDecimal(new BigInteger(bytes), decimal.getScale()).doubleValue();
                    case LogicalTypeAnnotation.UUIDLogicalTypeAnnotation uuid -> {
                        ByteBuffer buffer = ByteBuffer.wrap(bytes);
                        yield new UUID(buffer.getLong(), buffer.getLong()).toString();
                    }
                    case null -> type.getPrimitiveTypeName() == PrimitiveType.PrimitiveTypeName.BINARY
                            ? new String(bytes, UTF_8) : HexFormat.of().formatHex(bytes);
                    case LogicalTypeAnnotation.StringLogicalTypeAnnotation s -> new String(bytes, UTF_8);
                    case LogicalTypeAnnotation.JsonLogicalTypeAnnotation j -> new String(bytes, UTF_8);
                    case LogicalTypeAnnotation.EnumLogicalTypeAnnotation e -> new String(bytes, UTF_8);
                    default -> HexFormat.of().formatHex(bytes);
                };
            }
            case INT32 -> {
                int value = group.getInteger(field, index);
                yield switch (logical) {
                    case LogicalTypeAnnotation.DateLogicalTypeAnnotation date -> LocalDate.ofEpochDay(value).toString();
                    case LogicalTypeAnnotation.DecimalLogicalTypeAnnotation decimal ->
                            BigDecimal.valueOf(value, decimal.getScale()).doubleValue();
                    case LogicalTypeAnnotation.TimeLogicalTypeAnnotation time ->
                            LocalTime.ofNanoOfDay(value * 1_000_000L).toString();
                    case LogicalTypeAnnotation.IntLogicalTypeAnnotation integer when !integer.isSigned() ->
                            Integer.toUnsignedLong(value);
                    case null, default -> (long) value;
                };
            }
            case INT64 -> {
                long value = group.getLong(field, index);
                yield switch (logical) {
                    case LogicalTypeAnnotation.TimestampLogicalTypeAnnotation timestamp -> switch (timestamp.getUnit()) {
                        case MILLIS -> Instant.ofEpochMilli(value).toString();
                        case MICROS -> Instant.EPOCH.plusNanos(Math.multiplyExact(value, 1000L)).toString();
                        case NANOS -> Instant.EPOCH.plusNanos(value).toString();
                    };
                    case LogicalTypeAnnotation.TimeLogicalTypeAnnotation time -> LocalTime.ofNanoOfDay(
                            time.getUnit() == LogicalTypeAnnotation.TimeUnit.MICROS ? value * 1000 : value).toString();
                    case LogicalTypeAnnotation.DecimalLogicalTypeAnnotation decimal ->
                            BigDecimal.valueOf(value, decimal.getScale()).doubleValue();
                    case null, default -> value;
                };
            }
            case INT96 -> {
                // legacy timestamp (Impala, Spark): nanoseconds of the day, then the Julian day, little-endian
                ByteBuffer buffer = ByteBuffer.wrap(group.getInt96(field, index).getBytes()).order(ByteOrder.LITTLE_ENDIAN);
                long nanos = buffer.getLong();
                long julianDay = Integer.toUnsignedLong(buffer.getInt());
                yield Instant.EPOCH.plusSeconds((julianDay - 2_440_588L) * 86_400L).plusNanos(nanos).toString();
            }
            case FLOAT -> Double.parseDouble(Float.toString(group.getFloat(field, index)));
            case DOUBLE -> group.getDouble(field, index);
            case BOOLEAN -> group.getBoolean(field, index);
        };
    }

    /** A JSON text as maps, lists, strings, {@code Long}s, {@code Double}s and booleans; null when malformed. */
    private static Object parseJson(String text) {
        try (JsonParser json = JSON.createParser(text)) {
            json.nextToken();
            Object value = JsonValues.read(json);
            return json.nextToken() == null ? value : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
