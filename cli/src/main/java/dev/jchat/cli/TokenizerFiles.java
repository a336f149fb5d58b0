package dev.jchat.cli;

import dev.jchat.tokenizer.HfTokenizerJson;
import dev.jchat.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Where a tokenizer named on the command line lives on disk, its identity, and what the model stages need of it. */
final class TokenizerFiles {

    private TokenizerFiles() {}

    /** The tokenizer.json of a path (a file, or a directory holding one); null for a built-in encoding name. */
    static Path jsonFile(String nameOrPath) {
        Path path = Path.of(nameOrPath);
        if (!Files.exists(path)) {
            return null;
        }
        return Files.isDirectory(path) ? path.resolve("tokenizer.json") : path;
    }

    /** SHA-256 of the tokenizer's file, hex; null for a built-in encoding. */
    static String sha256(String nameOrPath) throws IOException {
        Path file = jsonFile(nameOrPath);
        if (file == null) {
            return null;
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** UTF-8 length of every token id (0 for special and unused ids): what bits per byte divides by. */
    static int[] tokenBytes(Tokenizer tokenizer) {
        int[] bytes = new int[tokenizer.vocabSize()];
        for (int id = 0; id < bytes.length; id++) {
            bytes[id] = tokenizer.contains(id) && !tokenizer.isSpecial(id) ? tokenizer.bytes(id).length : 0;
        }
        return bytes;
    }

    /** A tokenizer.json for {@code tokenizer} in {@code dir}: a copy of its file, or one written for a built-in encoding. */
    static Path writeJson(Tokenizer tokenizer, String nameOrPath, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path target = dir.resolve("tokenizer.json");
        Path source = jsonFile(nameOrPath);
        if (source != null && source.getFileName().toString().endsWith(".json")) {
            Files.copy(source, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } else {
            HfTokenizerJson.write(tokenizer, target);
        }
        return target;
    }
}
