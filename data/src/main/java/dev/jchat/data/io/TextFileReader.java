package dev.jchat.data.io;

import dev.jchat.data.Document;
import dev.jchat.data.StepStats;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * A plain text file is one document (a book, an article); invalid UTF-8 becomes U+FFFD. Text that is one
 * document per line belongs in JSONL instead.
 */
public final class TextFileReader implements DocumentReader {

    @Override
    public boolean producesHtml() {
        return false;
    }

    @Override
    public void read(Path file, DocumentSink sink, StepStats stats) throws IOException {
        String text;
        try (InputStream in = Compression.open(file)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        stats.increment("documents");
        sink.accept(new Document(text, file.getFileName().toString(), Map.of(Document.FILE_PATH, file.toString())));
    }
}
