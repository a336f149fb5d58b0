package dev.jchat.tokenizer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;

/**
 * tiktoken's rank file: one token a line, {@code base64(bytes) SPACE rank}. Ranks are the token ids and
 * the merge priorities.
 */
public final class TiktokenFile {
    private TiktokenFile() {}

    /** Reads a rank file; {@code result[rank]} holds the bytes of that rank, null where a rank is unused. */
    public static byte[][] read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        }
    }

    static byte[][] read(InputStream in, String source) throws IOException {
        var byRank = new ArrayList<byte[]>();
        var reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        var base64 = Base64.getDecoder();
        String line;
        int lineNumber = 0;
        while ((line = reader.readLine()) != null) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            int space = line.indexOf(' ');
            if (space <= 0 || line.indexOf(' ', space + 1) >= 0) {
                throw malformed(source, lineNumber, "expected 'base64 rank'");
            }
            byte[] bytes;
            int rank;
            try {
                bytes = base64.decode(line.substring(0, space));
                rank = Integer.parseInt(line.substring(space + 1));
            } catch (IllegalArgumentException e) {
                throw malformed(source, lineNumber, e.getMessage());
            }
            if (rank < 0 || rank > 10_000_000 || bytes.length == 0) {
                throw malformed(source, lineNumber, "rank " + rank + " of a " + bytes.length + "-byte token");
            }
            while (byRank.size() <= rank) {
                byRank.add(null);
            }
            if (byRank.get(rank) != null) {
                throw malformed(source, lineNumber, "rank " + rank + " appears twice");
            }
            byRank.set(rank, bytes);
        }
        if (byRank.isEmpty()) {
            throw new IOException(source + ": no tokens");
        }
        return byRank.toArray(byte[][]::new);
    }

    private static IOException malformed(String source, int line, String what) {
        return new IOException(source + ":" + line + ": malformed tiktoken rank line: " + what);
    }

    /** Writes the ordinary tokens of a tokenizer as a rank file, ids as ranks. */
    public static void write(Tokenizer tokenizer, Writer out) throws IOException {
        var base64 = Base64.getEncoder();
        for (int id = 0; id < tokenizer.ordinaryCount(); id++) {
            if (tokenizer.contains(id) && !tokenizer.isSpecial(id)) {
                out.write(base64.encodeToString(tokenizer.bytes(id)) + " " + id + "\n");
            }
        }
    }
}
