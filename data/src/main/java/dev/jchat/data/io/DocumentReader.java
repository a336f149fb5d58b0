package dev.jchat.data.io;

import dev.jchat.data.StepStats;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads one input file into documents. A bad record is counted in the stats ({@code skipped_<reason>})
 * and skipped; the good records before and after it still come out. A file that cannot be read at all
 * (missing, truncated compression) ends early with what it had, counted as {@code file_error}.
 */
public interface DocumentReader {

    /** Whether the documents' text is HTML that still needs main-content extraction. */
    boolean producesHtml();

    void read(Path file, DocumentSink sink, StepStats stats) throws IOException;

    /**
     * The reader for a file, chosen by its name: WARC/WET, JSONL, HTML or plain text (each maybe .gz/.zst), or
     * Parquet (compressed inside).
     */
    static DocumentReader forFile(Path file) {
        if (file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".parquet")) {
            return new ParquetDocumentReader();
        }
        String name = Compression.baseName(file).toLowerCase(java.util.Locale.ROOT);
        if (name.endsWith(".warc") || name.endsWith(".wet") || name.endsWith(".arc")) {
            return new WarcDocumentReader(name.endsWith(".wet"));
        }
        if (name.endsWith(".jsonl") || name.endsWith(".json") || name.endsWith(".ndjson")) {
            return new JsonlDocumentReader();
        }
        if (name.endsWith(".html") || name.endsWith(".htm") || name.endsWith(".xhtml")) {
            return new HtmlFileReader();
        }
        if (name.endsWith(".txt") || name.endsWith(".text") || name.endsWith(".md")) {
            return new TextFileReader();
        }
        throw new IllegalArgumentException(file + ": unknown input format (expected .warc, .wet, .jsonl, .html, "
                + ".txt, optionally .gz or .zst; or .parquet)");
    }
}
