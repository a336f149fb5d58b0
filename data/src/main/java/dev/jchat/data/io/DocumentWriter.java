package dev.jchat.data.io;

import dev.jchat.data.Document;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/** Writes documents to one file in FineWeb's row schema; {@link Format} says which file format. */
public interface DocumentWriter extends Closeable {

    void write(Document document) throws IOException;

    /** Documents written so far. */
    long written();

    /** An output format: how {@code documents/} shards are written. */
    enum Format {
        /** JSON lines, zstd-compressed ({@link JsonlDocumentWriter}). */
        JSONL(".jsonl.zst"),
        /** Apache Parquet, zstd-compressed ({@link ParquetDocumentWriter}). */
        PARQUET(".parquet");

        private final String extension;

        Format(String extension) {
            this.extension = extension;
        }

        /** The file name ending of this format's shards, e.g. {@code .parquet}. */
        public String extension() {
            return extension;
        }

        /**
         * A writer of this format to {@code file}, whatever its name (a JSONL file is zstd-compressed when its
         * name ends in {@code .zst}).
         */
        public DocumentWriter create(Path file) throws IOException {
            return switch (this) {
                case JSONL -> new JsonlDocumentWriter(file);
                case PARQUET -> new ParquetDocumentWriter(file);
            };
        }

        /** The format named {@code jsonl} or {@code parquet} (any case). */
        public static Format named(String name) {
            try {
                return valueOf(name.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown output format '" + name + "' (expected jsonl or parquet)");
            }
        }
    }
}
