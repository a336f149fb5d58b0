package dev.jchat.data.dedup;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Reads what {@link LittleEndianWriter} wrote, through one buffered channel. */
final class LittleEndianReader implements Closeable {
    private final FileChannel channel;
    private final ByteBuffer buffer;
    private boolean eof;

    LittleEndianReader(Path path) throws IOException {
        this(path, 1 << 16);
    }

    LittleEndianReader(Path path, int bufferSize) throws IOException {
        channel = FileChannel.open(path, StandardOpenOption.READ);
        buffer = ByteBuffer.allocate(bufferSize).order(ByteOrder.LITTLE_ENDIAN);
        buffer.flip();
    }

    /** Whether at least {@code bytes} more bytes can be read; false at a clean end of file. */
    boolean has(int bytes) throws IOException {
        while (buffer.remaining() < bytes && !eof) {
            buffer.compact();
            int read = channel.read(buffer);
            buffer.flip();
            if (read < 0) {
                eof = true;
            }
        }
        if (buffer.remaining() >= bytes) {
            return true;
        }
        if (buffer.hasRemaining()) {
            throw new EOFException("truncated record: " + buffer.remaining() + " trailing bytes");
        }
        return false;
    }

    long getLong() {
        return buffer.getLong();
    }

    long getUint32() {
        return buffer.getInt() & 0xFFFFFFFFL;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
