package dev.jchat.model.data;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One llm.c token shard, memory-mapped: a header of 256 little-endian int32 (magic 20240520; version 1 =
 * uint16 tokens, 2 = uint32 tokens; header[2] = token count), then the tokens, little-endian. Opening checks
 * the header against the file size, so a truncated or foreign file fails here, by name, instead of feeding
 * garbage to training. Immutable and safe to share between threads.
 */
public final class TokenShard {
    static final int MAGIC = 20240520;
    static final int HEADER_INTS = 256;
    static final long HEADER_BYTES = HEADER_INTS * Integer.BYTES;
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final MemorySegment file;
    private final boolean wide;
    private final long size;

    private TokenShard(Path path, MemorySegment file, boolean wide, long size) {
        this.path = path;
        this.file = file;
        this.wide = wide;
        this.size = size;
    }

    /** Maps a shard and checks its header: magic, version, and a token count that matches the file size. */
    public static TokenShard open(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new IOException(path + ": no such token shard");
        }
        MemorySegment file;
        try (var channel = FileChannel.open(path, StandardOpenOption.READ)) {
            // mapped with an automatic arena: the mapping lives as long as the shard object, and nothing has to
            // be closed by the trainer
            file = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), Arena.ofAuto());
        }
        long bytes = file.byteSize();
        if (bytes < HEADER_BYTES) {
            throw new IOException(path + ": " + bytes + " bytes, shorter than the " + HEADER_BYTES
                    + "-byte llm.c shard header: not a token shard, or truncated");
        }
        int magic = file.get(I32, 0);
        if (magic != MAGIC) {
            throw new IOException(path + ": not an llm.c token shard (magic " + magic + ", expected " + MAGIC + ")");
        }
        int version = file.get(I32, 4);
        if (version != 1 && version != 2) {
            throw new IOException(path + ": unsupported llm.c shard version " + version
                    + " (1 = uint16 tokens, 2 = uint32 tokens)");
        }
        long count = file.get(I32, 8);
        long width = version == 1 ? Short.BYTES : Integer.BYTES;
        if (HEADER_BYTES + count * width != bytes) {
            throw new IOException(path + ": the header says " + count + " tokens of " + width + " bytes ("
                    + (HEADER_BYTES + count * width) + " bytes with the header) but the file has " + bytes
                    + " bytes: truncated, or not a finished shard");
        }
        return new TokenShard(path, file.asSlice(HEADER_BYTES), version == 2, count);
    }

    public Path path() {
        return path;
    }

    /** Tokens in the shard. */
    public long size() {
        return size;
    }

    /** The llm.c version: 1 for uint16 tokens, 2 for uint32. */
    public int version() {
        return wide ? 2 : 1;
    }

    public int get(long index) {
        return wide ? file.getAtIndex(I32, index) : Short.toUnsignedInt(file.getAtIndex(U16, index));
    }

    /** Copies {@code length} tokens starting at token {@code from} into {@code into[offset..]}. */
    public void read(long from, int[] into, int offset, int length) {
        if (from < 0 || from + length > size) {
            throw new IndexOutOfBoundsException(path + ": tokens " + from + ".." + (from + length) + " of " + size);
        }
        for (int i = 0; i < length; i++) {
            into[offset + i] = get(from + i);
        }
    }

    /**
     * Checks that every token id is below {@code vocabSize}: an id past the end would index outside the
     * embedding table, and means the shard was written with another tokenizer than the model's.
     */
    public void checkIds(int vocabSize) throws IOException {
        if (!wide && vocabSize >= 1 << 16) {
            return;
        }
        for (long i = 0; i < size; i++) {
            int id = get(i);
            if (Integer.compareUnsigned(id, vocabSize) >= 0) {
                throw new IOException(path + ": token " + i + " is id " + Integer.toUnsignedString(id)
                        + ", outside the vocabulary of " + vocabSize + " ids: written with a different tokenizer?");
            }
        }
    }

    @Override
    public String toString() {
        return path + " (" + size + " tokens, uint" + (wide ? 32 : 16) + ")";
    }
}
