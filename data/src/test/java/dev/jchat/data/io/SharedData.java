package dev.jchat.data.io;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the third-party fixtures in {@code ../shared/data} (never copied into this repository). */
public final class SharedData {
    private SharedData() {}

    public static Path path(String relative) {
        String configured = System.getProperty("jchat.shared");
        Path root = configured != null ? Path.of(configured) : Path.of("..", "..", "shared");
        Path file = root.resolve("data").resolve(relative);
        if (!Files.exists(file)) {
            throw new IllegalStateException("test fixture missing: " + file.toAbsolutePath());
        }
        return file;
    }
}
