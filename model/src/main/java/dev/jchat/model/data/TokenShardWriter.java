package dev.jchat.model.data;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Writes a stream of tokens into llm.c shards {@code <split>_000000.bin}, {@code <split>_000001.bin}, … in one
 * directory, starting a new shard every {@code tokensPerShard} tokens (a document may continue in the next
 * shard, as in llm.c's fineweb.py). Tokens are uint16 (version 1) when every id fits, uint32 (version 2)
 * otherwise. A shard is written to a {@code .tmp} file and renamed into place only when complete, so a crash
 * never leaves a shard that looks finished but is not. Not thread-safe.
 */
public final class TokenShardWriter implements Closeable {
    /** llm.c's FineWeb shards hold 10^8 tokens. */
    public static final long DEFAULT_TOKENS_PER_SHARD = 100_000_000L;
    private static final int BUFFER_TOKENS = 1 << 18;

    private final Path dir;
    private final String split;
    private final int vocabSize;
    private final long tokensPerShard;
    private final boolean wide;
    private final ByteBuffer buffer;
    private final List<Path> written = new ArrayList<>();
    private FileChannel channel;
    private Path temp;
    private long inShard;
    private long tokens;

    /** A writer for ids {@code 0 .. vocabSize-1}; {@code split} names the shards, e.g. "train" or "val". */
    public TokenShardWriter(Path dir, String split, int vocabSize, long tokensPerShard) {
        if (vocabSize < 1 || tokensPerShard < 1 || tokensPerShard > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("vocabSize must be positive and tokensPerShard in 1.." + Integer.MAX_VALUE
                    + " (llm.c reads the count as an int32), got " + vocabSize + ", " + tokensPerShard);
        }
        this.dir = dir;
        this.split = split;
        this.vocabSize = vocabSize;
        this.tokensPerShard = tokensPerShard;
        this.wide = vocabSize > 1 << 16;
        this.buffer = ByteBuffer.allocateDirect(BUFFER_TOKENS * (wide ? Integer.BYTES : Short.BYTES))
                .order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The file name of a split's shard, e.g. {@code train_000003.bin}. */
    public static String shardName(String split, int index) {
        return "%s_%06d.bin".formatted(split, index);
    }

    /** Appends tokens; every id must be in the vocabulary. */
    public void write(int[] ids) throws IOException {
        for (int id : ids) {
            if (id < 0 || id >= vocabSize) {
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + vocabSize);
            }
        }
        int at = 0;
        while (at < ids.length) {
            if (channel == null) {
                startShard();
            }
            int n = (int) Math.min(ids.length - at, tokensPerShard - inShard);
            for (int i = at; i < at + n; i++) {
                if (!buffer.hasRemaining()) {
                    drain();
                }
                if (wide) {
                    buffer.putInt(ids[i]);
                } else {
                    buffer.putShort((short) ids[i]);
                }
            }
            at += n;
            inShard += n;
            tokens += n;
            if (inShard == tokensPerShard) {
                finishShard();
            }
        }
    }

    /** Tokens written so far. */
    public long tokens() {
        return tokens;
    }

    /**
     * Completes the last shard and removes this split's shards left by an earlier, larger run, so the directory
     * holds exactly the shards written here, which are returned in order.
     */
    public List<Path> finish() throws IOException {
        if (channel != null) {
            finishShard();
        }
        var stale = Pattern.compile(Pattern.quote(split) + "_(\\d{6})\\.bin(\\.tmp)?");
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                var name = stale.matcher(file.getFileName().toString());
                if (name.matches() && (name.group(2) != null || Integer.parseInt(name.group(1)) >= written.size())) {
                    Files.delete(file);
                }
            }
        }
        return List.copyOf(written);
    }

    /** Abandons an unfinished shard (after an error): its temporary file is deleted. */
    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
            Files.deleteIfExists(temp);
        }
    }

    private void startShard() throws IOException {
        Files.createDirectories(dir);
        temp = dir.resolve(shardName(split, written.size()) + ".tmp");
        channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        channel.position(TokenShard.HEADER_BYTES);
        inShard = 0;
    }

    private void finishShard() throws IOException {
        drain();
        ByteBuffer header = ByteBuffer.allocate((int) TokenShard.HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(TokenShard.MAGIC).putInt(wide ? 2 : 1).putInt((int) inShard).rewind();
        while (header.hasRemaining()) {
            channel.write(header, header.position());
        }
        // on disk before the rename, so that after a crash a shard under its final name is always whole
        channel.force(true);
        channel.close();
        channel = null;
        Path shard = dir.resolve(shardName(split, written.size()));
        Files.move(temp, shard, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        written.add(shard);
    }

    private void drain() throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        buffer.clear();
    }
}
