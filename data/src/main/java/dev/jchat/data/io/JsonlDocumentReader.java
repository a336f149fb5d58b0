package dev.jchat.data.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.jchat.data.Document;
import dev.jchat.data.StepStats;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * JSON lines with a {@code text} field (FineWeb/datatrove shards and the like): {@code id} (string or
 * number; else {@code <file>/<line>}), the other top-level fields and a nested {@code metadata} object
 * become metadata. A line that is not a JSON object with a string {@code text} is skipped and counted.
 */
public final class JsonlDocumentReader implements DocumentReader {
    private static final JsonFactory JSON = new JsonFactory();

    @Override
    public boolean producesHtml() {
        return false;
    }

    @Override
    public void read(Path file, DocumentSink sink, StepStats stats) throws IOException {
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
        try (var in = new BufferedReader(new InputStreamReader(Compression.open(file), decoder), 1 << 16)) {
            String line;
            long lineNumber = 0;
            while ((line = readLine(in, file, stats)) != null) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                Document document;
                try {
                    document = parse(line, file, lineNumber);
                } catch (JsonParseException | IllegalArgumentException e) {
                    stats.increment("skipped_bad_json");
                    Warnings.warn(file + ":" + lineNumber + ": skipped: " + firstLine(e.getMessage()));
                    continue;
                }
                stats.increment("documents");
                sink.accept(document);
            }
        }
    }

    /**
     * The documents of a JSONL file, read lazily each time the iterable is iterated (for passes that
     * pull, like MinHash); bad lines are skipped as in {@link #read}.
     */
    public static Iterable<Document> documents(Path file) {
        return () -> {
            BufferedReader in;
            try {
                in = new BufferedReader(new InputStreamReader(Compression.open(file), StandardCharsets.UTF_8), 1 << 16);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return new java.util.Iterator<>() {
                private final StepStats ignored = new StepStats("reader");
                private long lineNumber;
                private Document next = advance();

                private Document advance() {
                    String line;
                    while ((line = readLine(in, file, ignored)) != null) {
                        lineNumber++;
                        if (line.isBlank()) {
                            continue;
                        }
                        try {
                            return parse(line, file, lineNumber);
                        } catch (IOException | IllegalArgumentException e) {
                            Warnings.warn(file + ":" + lineNumber + ": skipped: " + firstLine(e.getMessage()));
                        }
                    }
                    try {
                        in.close();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    return null;
                }

                @Override
                public boolean hasNext() {
                    return next != null;
                }

                @Override
                public Document next() {
                    if (next == null) {
                        throw new java.util.NoSuchElementException();
                    }
                    Document current = next;
                    next = advance();
                    return current;
                }
            };
        };
    }

    private static String readLine(BufferedReader in, Path file, StepStats stats) {
        try {
            return in.readLine();
        } catch (IOException e) {
            stats.increment("file_error");
            Warnings.warn(file + ": stopped reading: " + e.getMessage());
            return null;
        }
    }

    static Document parse(String line, Path file, long lineNumber) throws IOException {
        try (JsonParser json = JSON.createParser(line)) {
            if (json.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("not a JSON object");
            }
            String text = null;
            String id = null;
            Map<String, Object> metadata = new LinkedHashMap<>();
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String field = json.currentName();
                JsonToken value = json.nextToken();
                switch (field) {
                    case "text" -> {
                        if (value != JsonToken.VALUE_STRING) {
                            throw new IllegalArgumentException("\"text\" is not a string");
                        }
                        text = json.getText();
                    }
                    case "id" -> id = value == JsonToken.VALUE_NULL ? null : json.getText();
                    case "metadata" -> {
                        Object nested = JsonValues.read(json);
                        if (nested instanceof Map<?, ?> map) {
                            map.forEach((k, v) -> metadata.putIfAbsent(k.toString(), v));
                        }
                    }
                    default -> metadata.put(field, JsonValues.read(json));
                }
            }
            if (text == null) {
                throw new IllegalArgumentException("no \"text\" field");
            }
            metadata.values().removeIf(v -> v == null);
            return new Document(text, id != null ? id : file.getFileName() + "/" + lineNumber, metadata);
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "malformed";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
