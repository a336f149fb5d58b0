package dev.jchat.data;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One document as it flows through the pipeline, in FineWeb's row schema: {@code text}, {@code id}, and
 * metadata ({@code url}, {@code date}, {@code dump}, {@code file_path}, {@code language},
 * {@code language_score}, {@code token_count}, and anything else a reader or step adds). Immutable: a step
 * that changes a document returns a new one.
 */
public record Document(String text, String id, Map<String, Object> metadata) {

    public static final String URL = "url";
    public static final String DATE = "date";
    public static final String DUMP = "dump";
    public static final String FILE_PATH = "file_path";
    public static final String LANGUAGE = "language";
    public static final String LANGUAGE_SCORE = "language_score";
    public static final String TOKEN_COUNT = "token_count";
    /** Set on dropped documents only: why the step dropped it. */
    public static final String FILTER_REASON = "filter_reason";

    public Document {
        if (text == null || id == null) {
            throw new IllegalArgumentException("a document needs text and id");
        }
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    public Document(String text, String id) {
        this(text, id, Map.of());
    }

    public Document withText(String newText) {
        return new Document(newText, id, metadata);
    }

    /** This document with one metadata entry set (a null value removes it). */
    public Document with(String key, Object value) {
        var copy = new LinkedHashMap<>(metadata);
        if (value == null) {
            copy.remove(key);
        } else {
            copy.put(key, value);
        }
        return new Document(text, id, copy);
    }

    /** A metadata value as a string, or null. */
    public String get(String key) {
        Object value = metadata.get(key);
        return value == null ? null : value.toString();
    }

    public String url() {
        return get(URL);
    }
}
