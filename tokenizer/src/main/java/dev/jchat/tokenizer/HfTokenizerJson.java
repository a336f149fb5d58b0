package dev.jchat.tokenizer;

import java.io.IOException;
import java.nio.file.Path;

/** HuggingFace tokenizer.json for byte-level BPE: read and write. */
public final class HfTokenizerJson {
    private HfTokenizerJson() {}

    public static Tokenizer read(Path file) throws IOException {
        throw new IOException(file + ": reading tokenizer.json is not implemented yet");
    }

    public static void write(Tokenizer tokenizer, Path file) throws IOException {
        throw new IOException(file + ": writing tokenizer.json is not implemented yet");
    }
}
