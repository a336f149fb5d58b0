package dev.jchat.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Text from a file or stdin. Bytes that are not valid UTF-8 become U+FFFD (one per maximal invalid
 * subsequence, as Python's "replace" does); whole-input reads count them so the caller can say so.
 */
final class TextInput {
    private TextInput() {}

    /** A decoded text and how many invalid UTF-8 sequences were replaced in it. */
    record Decoded(String text, int replaced) {}

    static InputStream open(Path file) throws IOException {
        return file == null ? System.in : Files.newInputStream(file);
    }

    static Decoded readAll(Path file) throws IOException {
        try (InputStream in = open(file)) {
            return decode(in.readAllBytes());
        }
    }

    static Decoded decode(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 16);
        int replaced = 0;
        while (true) {
            CoderResult result = in.hasRemaining() ? decoder.decode(in, out, true) : CoderResult.UNDERFLOW;
            if (result.isError()) {
                out.put('\uFFFD');
                in.position(in.position() + result.length());
                replaced++;
            } else if (result.isUnderflow()) {
                decoder.flush(out);
                break;
            }
        }
        return new Decoded(out.flip().toString(), replaced);
    }

    /** Line-by-line reading; invalid UTF-8 becomes U+FFFD. */
    static BufferedReader lines(Path file) throws IOException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        return new BufferedReader(new InputStreamReader(open(file), decoder), 1 << 16);
    }
}
