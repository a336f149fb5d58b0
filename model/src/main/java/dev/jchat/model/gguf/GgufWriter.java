package dev.jchat.model.gguf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * Writes GGUF version 3, the file format of llama.cpp: the magic {@code GGUF}, the version, the tensor and
 * metadata counts, the metadata key/values, one entry per tensor (name, dimensions innermost first, ggml type,
 * data offset), padding to the alignment, then the tensors' data, each starting on an aligned offset as llama.cpp
 * requires. All little-endian. Float data is converted to each tensor's type on the way out (F32, F16, BF16,
 * Q8_0), so a model never needs a second copy in the target type.
 */
public final class GgufWriter {
    public static final int MAGIC = 0x46554747;
    public static final int VERSION = 3;
    /** GGUF's default alignment, used unless the metadata sets {@code general.alignment}. */
    public static final int DEFAULT_ALIGNMENT = 32;
    public static final String ALIGNMENT_KEY = "general.alignment";

    private static final int CHUNK = 1 << 20;

    private GgufWriter() {}

    /**
     * A tensor to write: the product of {@code dims} values of {@code data} from {@code offset}, stored as
     * {@code type}. {@code dims} are in GGUF's order, innermost (contiguous) first: a row-major matrix of
     * {@code rows × cols} floats has dims {@code [cols, rows]}.
     */
    public record Tensor(String name, GgmlType type, long[] dims, float[] data, int offset) {
        public Tensor {
            if (!type.convertsToFloat()) {
                throw new IllegalArgumentException(name + ": cannot write floats as " + type);
            }
            if (dims.length < 1 || dims.length > GgufFile.MAX_DIMS) {
                throw new IllegalArgumentException(name + ": " + dims.length + " dimensions; GGUF allows 1 to "
                        + GgufFile.MAX_DIMS);
            }
            dims = dims.clone();
            long n = 1;
            for (long d : dims) {
                if (d < 1) {
                    throw new IllegalArgumentException(name + ": dimension " + d + " in " + Arrays.toString(dims));
                }
                n = Math.multiplyExact(n, d);
            }
            if (dims[0] % type.blockSize() != 0) {
                throw new IllegalArgumentException(name + ": rows of " + dims[0] + " values do not split into "
                        + type + " blocks of " + type.blockSize());
            }
            if (offset < 0 || offset > data.length - n) {
                throw new IllegalArgumentException(name + ": " + n + " values at offset " + offset
                        + " do not fit in " + data.length);
            }
        }

        @Override
        public long[] dims() {
            return dims.clone();
        }

        long elements() {
            long n = 1;
            for (long d : dims) {
                n *= d;
            }
            return n;
        }
    }

    /** Writes {@code metadata} (in iteration order) and {@code tensors} (in list order) to {@code file}, atomically. */
    public static void write(Path file, Map<String, GgufValue> metadata, List<Tensor> tensors) throws IOException {
        int alignment = alignment(metadata);
        var names = new HashSet<String>();
        for (Tensor t : tensors) {
            if (!names.add(t.name())) {
                throw new IllegalArgumentException("tensor " + t.name() + " is listed twice");
            }
        }
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        try {
            try (FileChannel out = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                var sink = new Sink(out);
                sink.u32(MAGIC).u32(VERSION).u64(tensors.size()).u64(metadata.size());
                for (var e : metadata.entrySet()) {
                    sink.string(e.getKey());
                    sink.value(e.getValue());
                }
                long offset = 0;
                for (Tensor t : tensors) {
                    sink.string(t.name()).u32(t.dims.length);
                    for (long d : t.dims) {
                        sink.u64(d);
                    }
                    sink.u32(t.type().id()).u64(offset);
                    offset = pad(offset + t.type().bytes(t.elements()), alignment);
                }
                sink.padTo(alignment);
                for (Tensor t : tensors) {
                    sink.tensor(t);
                    sink.padTo(alignment);
                }
                sink.flush();
                // the rename below must not publish a file whose bytes a crash could still lose
                out.force(true);
            }
            Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    private static int alignment(Map<String, GgufValue> metadata) {
        GgufValue value = metadata.get(ALIGNMENT_KEY);
        if (value == null) {
            return DEFAULT_ALIGNMENT;
        }
        if (!(value instanceof GgufValue.Int(GgufValue.Type type, long a)) || type != GgufValue.Type.UINT32
                || a < 1 || a > 1 << 20 || Long.bitCount(a) != 1) {
            throw new IllegalArgumentException(ALIGNMENT_KEY + " must be a UINT32 power of two, got " + value);
        }
        return (int) a;
    }

    static long pad(long offset, int alignment) {
        return (offset + alignment - 1) / alignment * alignment;
    }

    /** A buffered little-endian channel writer that counts its position. */
    private static final class Sink {
        private final FileChannel out;
        private final ByteBuffer buffer = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        private long position;

        Sink(FileChannel out) {
            this.out = out;
        }

        Sink u32(long v) throws IOException {
            room(4).putInt((int) v);
            position += 4;
            return this;
        }

        Sink u64(long v) throws IOException {
            room(8).putLong(v);
            position += 8;
            return this;
        }

        Sink string(String s) throws IOException {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            u64(bytes.length);
            for (int i = 0; i < bytes.length; ) {
                int n = Math.min(bytes.length - i, CHUNK);
                room(n).put(bytes, i, n);
                i += n;
            }
            position += bytes.length;
            return this;
        }

        void value(GgufValue value) throws IOException {
            u32(value.type().ordinal());
            switch (value) {
                case GgufValue.Int v -> scalar(v.type(), v.value());
                case GgufValue.Real v -> real(v.type(), v.value());
                case GgufValue.Bool v -> scalar(GgufValue.Type.BOOL, v.value() ? 1 : 0);
                case GgufValue.Text v -> string(v.value());
                case GgufValue.Ints v -> {
                    u32(v.elementType().ordinal()).u64(v.values().length);
                    for (long x : v.values()) {
                        scalar(v.elementType(), x);
                    }
                }
                case GgufValue.Reals v -> {
                    u32(v.elementType().ordinal()).u64(v.values().length);
                    for (double x : v.values()) {
                        real(v.elementType(), x);
                    }
                }
                case GgufValue.Bools v -> {
                    u32(GgufValue.Type.BOOL.ordinal()).u64(v.values().length);
                    for (boolean x : v.values()) {
                        scalar(GgufValue.Type.BOOL, x ? 1 : 0);
                    }
                }
                case GgufValue.Texts v -> {
                    u32(GgufValue.Type.STRING.ordinal()).u64(v.values().size());
                    for (String x : v.values()) {
                        string(x);
                    }
                }
            }
        }

        private void scalar(GgufValue.Type type, long v) throws IOException {
            int n = type.minBytes();
            ByteBuffer b = room(n);
            switch (n) {
                case 1 -> b.put((byte) v);
                case 2 -> b.putShort((short) v);
                case 4 -> b.putInt((int) v);
                default -> b.putLong(v);
            }
            position += n;
        }

        private void real(GgufValue.Type type, double v) throws IOException {
            if (type == GgufValue.Type.FLOAT32) {
                room(4).putFloat((float) v);
                position += 4;
            } else {
                room(8).putDouble(v);
                position += 8;
            }
        }

        void tensor(Tensor t) throws IOException {
            // whole blocks per chunk: a Q8_0 block of 32 values never straddles two conversions
            int perChunk = CHUNK / 4 / Q8Blocks.BLOCK * Q8Blocks.BLOCK;
            long n = t.elements();
            for (long i = 0; i < n; i += perChunk) {
                int count = (int) Math.min(perChunk, n - i);
                long bytes = t.type().bytes(count);
                TensorCodec.encode(t.type(), t.data(), t.offset() + (int) i, count, room((int) bytes));
                position += bytes;
            }
        }

        void padTo(int alignment) throws IOException {
            int n = (int) (pad(position, alignment) - position);
            ByteBuffer b = room(n);
            for (int i = 0; i < n; i++) {
                b.put((byte) 0);
            }
            position += n;
        }

        /** The buffer, drained first if fewer than {@code bytes} remain. */
        private ByteBuffer room(int bytes) throws IOException {
            if (buffer.remaining() < bytes) {
                flush();
            }
            return buffer;
        }

        void flush() throws IOException {
            buffer.flip();
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            buffer.clear();
        }
    }
}
