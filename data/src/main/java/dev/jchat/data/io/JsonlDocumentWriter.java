package dev.jchat.data.io;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.jchat.data.Document;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Writes documents as JSON lines in FineWeb's row schema: {@code text, id, dump, url, date, file_path,
 * language, language_score, token_count} at the top level (null where unknown), everything else under
 * {@code metadata}. zstd-compressed when the file name ends in {@code .zst}.
 */
public final class JsonlDocumentWriter implements DocumentWriter {
    /** The FineWeb columns after text and id, in order. */
    public static final List<String> SCHEMA = List.of(Document.DUMP, Document.URL, Document.DATE,
            Document.FILE_PATH, Document.LANGUAGE, Document.LANGUAGE_SCORE, Document.TOKEN_COUNT);
    private static final JsonFactory JSON = new JsonFactory();

    private final OutputStream out;
    private final JsonGenerator json;
    private long written;

    public JsonlDocumentWriter(Path file) throws IOException {
        this.out = file.getFileName().toString().endsWith(".zst") ? Compression.createZstd(file)
                : new java.io.BufferedOutputStream(java.nio.file.Files.newOutputStream(file), 1 << 16);
        this.json = JSON.createGenerator(out, JsonEncoding.UTF8);
        json.setRootValueSeparator(new com.fasterxml.jackson.core.io.SerializedString("\n"));
    }

    @Override
    public void write(Document document) throws IOException {
        json.writeStartObject();
        json.writeStringField("text", document.text());
        json.writeStringField("id", document.id());
        Map<String, Object> metadata = document.metadata();
        for (String column : SCHEMA) {
            json.writeFieldName(column);
            writeValue(json, metadata.get(column));
        }
        json.writeObjectFieldStart("metadata");
        for (var entry : metadata.entrySet()) {
            if (!SCHEMA.contains(entry.getKey())) {
                json.writeFieldName(entry.getKey());
                writeValue(json, entry.getValue());
            }
        }
        json.writeEndObject();
        json.writeEndObject();
        written++;
    }

    /** A metadata value as JSON: numbers, booleans, maps and lists as such, anything else as its string. */
    static void writeValue(JsonGenerator json, Object value) throws IOException {
        switch (value) {
            case null -> json.writeNull();
            case Integer i -> json.writeNumber(i);
            case Long l -> json.writeNumber(l);
            case Double d -> json.writeNumber(d);
            case Float f -> json.writeNumber(f);
            case Boolean b -> json.writeBoolean(b);
            case Map<?, ?> map -> {
                json.writeStartObject();
                for (var entry : map.entrySet()) {
                    json.writeFieldName(String.valueOf(entry.getKey()));
                    writeValue(json, entry.getValue());
                }
                json.writeEndObject();
            }
            case List<?> list -> {
                json.writeStartArray();
                for (Object item : list) {
                    writeValue(json, item);
                }
                json.writeEndArray();
            }
            default -> json.writeString(value.toString());
        }
    }

    @Override
    public long written() {
        return written;
    }

    @Override
    public void close() throws IOException {
        if (written > 0) {
            json.writeRaw('\n');
        }
        json.close();
        out.close();
    }
}
