package dev.jchat.model;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;

/** Damage that every model-file reader (safetensors, GGUF) must turn into a clean error naming the file. */
public final class HostileFiles {

    /** Opens a file and reads everything in it, as a loader would. */
    @FunctionalInterface
    public interface Reader {
        void readAll(Path file) throws IOException;
    }

    private HostileFiles() {}

    /** Every prefix of {@code valid}, written to {@code file}, fails with an IOException that starts with the file. */
    public static void everyTruncationFails(Path file, byte[] valid, Reader reader) throws IOException {
        for (int length = 0; length < valid.length; length++) {
            Files.write(file, Arrays.copyOf(valid, length));
            var e = assertThrows(IOException.class, () -> reader.readAll(file), "cut at " + length);
            assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        }
    }

    /**
     * {@code trials} copies of {@code valid} with 1–4 random byte flips each either read fine or fail with an
     * IOException naming the file, within 60 s in all (no hang, no huge allocation). Three flips in four land in the
     * first {@code hotBytes} bytes: counts, lengths, types and offsets are where a flip can mislead a reader.
     */
    public static void randomFlipsFailCleanly(Path file, byte[] valid, int trials, int hotBytes, Reader reader) {
        var random = new Random(20261128);
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int trial = 0; trial < trials; trial++) {
                byte[] bytes = valid.clone();
                int flips = 1 + random.nextInt(4);
                for (int f = 0; f < flips; f++) {
                    int at = random.nextInt(4) == 0 ? random.nextInt(bytes.length) : random.nextInt(hotBytes);
                    bytes[at] = random.nextBoolean() ? (byte) (bytes[at] ^ (1 << random.nextInt(8)))
                            : (byte) random.nextInt(256);
                }
                Files.write(file, bytes);
                try {
                    reader.readAll(file);
                } catch (IOException e) {
                    assertTrue(e.getMessage().startsWith(file + ": ") && e.getMessage().length() > file.toString()
                            .length() + 5, "trial " + trial + ": " + e.getMessage());
                }
            }
        });
    }
}
