package dev.jchat.data.io;

import dev.jchat.data.Document;
import dev.jchat.data.StepStats;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;

/** One saved HTML page per file: the document id is the file name, the URL unknown. */
public final class HtmlFileReader implements DocumentReader {

    @Override
    public boolean producesHtml() {
        return true;
    }

    @Override
    public void read(Path file, DocumentSink sink, StepStats stats) throws IOException {
        byte[] body;
        try (InputStream in = Compression.open(file)) {
            body = in.readNBytes(WarcDocumentReader.DEFAULT_MAX_BYTES + 1);
        }
        if (body.length > WarcDocumentReader.DEFAULT_MAX_BYTES) {
            stats.increment("skipped_too_large");
            return;
        }
        HtmlDecoder.Decoded decoded = HtmlDecoder.decode(body, null);
        if (decoded == null) {
            stats.increment("skipped_undecodable");
            return;
        }
        stats.increment("documents");
        sink.accept(new Document(decoded.text(), file.getFileName().toString(),
                Map.of(Document.FILE_PATH, file.toString())));
    }
}
