package dev.jchat.data.io;

import dev.jchat.data.Document;
import java.io.IOException;

/** Receives the documents a reader produces, in file order. */
@FunctionalInterface
public interface DocumentSink {
    void accept(Document document) throws IOException;
}
