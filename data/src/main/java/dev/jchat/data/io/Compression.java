package dev.jchat.data.io;

import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Opens files by their compression suffix: {@code .gz}, {@code .zst}, or none. */
public final class Compression {
    private Compression() {}

    public static InputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        String name = file.getFileName().toString();
        try {
            if (name.endsWith(".gz")) {
                return new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16);
            }
            if (name.endsWith(".zst")) {
                return new BufferedInputStream(new ZstdInputStream(raw), 1 << 16);
            }
            return raw;
        } catch (IOException e) {
            raw.close();
            throw new IOException(file + ": not a valid " + name.substring(name.lastIndexOf('.')) + " file: "
                    + e.getMessage(), e);
        }
    }

    /**
     * The file's bytes as stored, for formats that handle their own compression (WARC readers read
     * gzip member by member).
     */
    public static InputStream openRaw(Path file) throws IOException {
        return new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    }

    /** A zstd stream (level 3, as datatrove writes) to a new file. */
    public static OutputStream createZstd(Path file) throws IOException {
        OutputStream raw = Files.newOutputStream(file);
        try {
            return new BufferedOutputStream(new ZstdOutputStream(raw, 3), 1 << 16);
        } catch (IOException e) {
            raw.close();
            throw e;
        }
    }

    /** The file name without its compression suffix, e.g. {@code a.jsonl.zst} → {@code a.jsonl}. */
    public static String baseName(Path file) {
        String name = file.getFileName().toString();
        for (String suffix : new String[] {".gz", ".zst"}) {
            if (name.endsWith(suffix)) {
                return name.substring(0, name.length() - suffix.length());
            }
        }
        return name;
    }
}
