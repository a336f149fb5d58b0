package dev.jchat.data.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;

/**
 * Finds where the next WARC record starts after a damaged one: the next gzip member header (WARC.gz
 * compresses each record as its own member) or the next {@code WARC/1.0} or {@code WARC/1.1} version line.
 */
final class RecordBoundary {
    private static final byte[] GZIP_MEMBER = {0x1f, (byte) 0x8b, 0x08};
    private static final byte[] WARC_LINE = "WARC/1.?\r\n".getBytes(StandardCharsets.US_ASCII);

    private RecordBoundary() {}

    /** The offset of the next record start at or after {@code from}, or -1. */
    static long next(FileChannel channel, long from, boolean gzip) throws IOException {
        byte[] marker = gzip ? GZIP_MEMBER : WARC_LINE;
        ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
        long position = from;
        while (position < channel.size()) {
            buffer.clear();
            int n = channel.read(buffer, position);
            if (n <= 0) {
                break;
            }
            byte[] bytes = buffer.array();
            for (int i = 0; i + marker.length <= n; i++) {
                if (matches(bytes, i, marker)) {
                    return position + i;
                }
            }
            if (n < marker.length) {
                break;
            }
            position += n - marker.length + 1;
        }
        return -1;
    }

    private static boolean matches(byte[] bytes, int at, byte[] marker) {
        for (int j = 0; j < marker.length; j++) {
            if (bytes[at + j] != marker[j] && !(marker[j] == '?' && (bytes[at + j] == '0' || bytes[at + j] == '1'))) {
                return false;
            }
        }
        return true;
    }
}
