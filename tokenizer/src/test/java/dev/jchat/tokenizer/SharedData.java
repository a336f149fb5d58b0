package dev.jchat.tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the third-party fixtures in {@code ../shared/data} (never copied into this repository). */
final class SharedData {
    private SharedData() {}

    static Path path(String relative) {
        String configured = System.getProperty("jchat.shared");
        Path root = configured != null ? Path.of(configured) : Path.of("..", "..", "shared");
        Path file = root.resolve("data").resolve(relative);
        if (!Files.exists(file)) {
            throw new IllegalStateException("test fixture missing: " + file.toAbsolutePath()
                    + " (the shared data folder sits beside the repository as ../shared)");
        }
        return file;
    }
}
