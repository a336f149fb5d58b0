package dev.jchat.model.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GGUF file (version 2 or 3, little-endian), memory-mapped: its metadata, its tensor entries, and any tensor of
 * a {@linkplain GgmlType#convertsToFloat float-convertible type} as floats.
 *
 * <p>{@link #open} checks the whole header before anything is used, with llama.cpp's rules: every count and
 * length must fit in the bytes that remain (so a hostile count cannot make the reader allocate more than the file
 * holds), strings are valid UTF-8, keys and tensor names are unique, types are known, a tensor has 1 to
 * {@value #MAX_DIMS} dimensions whose product does not overflow, its rows split into whole blocks, and the tensors
 * follow each other in order at aligned offsets inside the file. A broken file fails with an {@link IOException}
 * that names the file and the problem.
 */
public final class GgufFile implements AutoCloseable {
    /** ggml's {@code GGML_MAX_DIMS}. */
    public static final int MAX_DIMS = 4;
    /** llama.cpp's {@code GGML_MAX_NAME} less the terminating zero. */
    private static final int MAX_NAME_BYTES = 63;

    private static final ValueLayout.OfInt I32 =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 =
            ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * One tensor entry: {@code dims} innermost first (a row-major {@code rows × cols} matrix has {@code [cols,
     * rows]}), {@code offset} in bytes from the start of the file.
     */
    public record TensorInfo(String name, GgmlType type, long[] dims, long offset, long bytes) {
        public TensorInfo {
            dims = dims.clone();
        }

        @Override
        public long[] dims() {
            return dims.clone();
        }

        public long elements() {
            long n = 1;
            for (long d : dims) {
                n *= d;
            }
            return n;
        }

        @Override
        public String toString() {
            return name + " " + type + Arrays.toString(dims) + " @" + offset;
        }
    }

    private final Path file;
    private final int version;
    private final Arena arena;
    private final MemorySegment data;
    private final Map<String, GgufValue> metadata;
    private final Map<String, TensorInfo> tensors;

    private GgufFile(Path file, int version, Arena arena, MemorySegment data, Map<String, GgufValue> metadata,
                     Map<String, TensorInfo> tensors) {
        this.file = file;
        this.version = version;
        this.arena = arena;
        this.data = data;
        this.metadata = metadata;
        this.tensors = tensors;
    }

    /** Maps {@code file} and checks its header; {@link #close} unmaps it. */
    public static GgufFile open(Path file) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment segment = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            var parser = new Parser(file, segment);
            int version = parser.header();
            var metadata = parser.metadata();
            int alignment = alignment(file, metadata);
            var tensors = parser.tensors(alignment);
            return new GgufFile(file, version, arena, segment, Collections.unmodifiableMap(metadata),
                    Collections.unmodifiableMap(tensors));
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    public Path file() {
        return file;
    }

    /** 2 or 3 (the two differ only in what they allow, not in layout). */
    public int version() {
        return version;
    }

    /** Every key/value, in file order. */
    public Map<String, GgufValue> metadata() {
        return metadata;
    }

    /** Every tensor entry, in file order. */
    public List<TensorInfo> tensors() {
        return List.copyOf(tensors.values());
    }

    public boolean contains(String tensor) {
        return tensors.containsKey(tensor);
    }

    /** The entry of tensor {@code name}; an {@link IOException} naming the file when there is none. */
    public TensorInfo tensor(String name) throws IOException {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw problem(file, "no tensor named " + name);
        }
        return info;
    }

    /** The string at {@code key}; an {@link IOException} naming the file and key when absent or not a string. */
    public String string(String key) throws IOException {
        return switch (required(key)) {
            case GgufValue.Text t -> t.value();
            case GgufValue v -> throw wrongType(key, v, "a string");
        };
    }

    /** The integer at {@code key} (any integer type); an {@link IOException} when absent or not an integer. */
    public long integer(String key) throws IOException {
        return switch (required(key)) {
            case GgufValue.Int i -> i.value();
            case GgufValue v -> throw wrongType(key, v, "an integer");
        };
    }

    /** The number at {@code key} (floating-point or integer); an {@link IOException} when absent or not a number. */
    public double real(String key) throws IOException {
        return switch (required(key)) {
            case GgufValue.Real r -> r.value();
            case GgufValue.Int i -> i.value();
            case GgufValue v -> throw wrongType(key, v, "a number");
        };
    }

    /** Tensor {@code name} as floats; F32, F16, BF16 exactly, Q8_0 dequantised as ggml does. */
    public float[] floats(String name) throws IOException {
        TensorInfo info = floatTensor(name);
        float[] out = new float[(int) info.elements()];
        TensorCodec.decode(info.type(), data, info.offset(), out, 0, out.length);
        return out;
    }

    /** Tensor {@code name} as floats into {@code dst} from {@code offset}. */
    public void floats(String name, float[] dst, int offset) throws IOException {
        TensorInfo info = floatTensor(name);
        long n = info.elements();
        if (offset < 0 || offset > dst.length - n) {
            throw new IllegalArgumentException(file + ": tensor " + name + " (" + n + " values) does not fit in "
                    + dst.length + " values at offset " + offset);
        }
        TensorCodec.decode(info.type(), data, info.offset(), dst, offset, (int) n);
    }

    /**
     * Tensor {@code name} as Q8_0 blocks exactly as the file stores them ({@code rows = dims[1..]}, {@code cols =
     * dims[0]}); an {@link IOException} when it is another type.
     */
    public Q8Blocks q8Blocks(String name) throws IOException {
        TensorInfo info = tensor(name);
        if (info.type() != GgmlType.Q8_0) {
            throw problem(file, "tensor " + name + " is " + info.type() + ", not Q8_0");
        }
        if (info.bytes() > Integer.MAX_VALUE - 8) {
            throw problem(file, "tensor " + name + " has " + info.bytes() + " bytes, more than a Java array holds");
        }
        long cols = info.dims()[0];
        byte[] bytes = data.asSlice(info.offset(), info.bytes()).toArray(ValueLayout.JAVA_BYTE);
        return new Q8Blocks((int) (info.elements() / cols), (int) cols, bytes);
    }

    @Override
    public void close() {
        arena.close();
    }

    private GgufValue required(String key) throws IOException {
        GgufValue v = metadata.get(key);
        if (v == null) {
            throw problem(file, "metadata key " + key + " is missing");
        }
        return v;
    }

    private IOException wrongType(String key, GgufValue v, String expected) {
        return problem(file, "metadata key " + key + " is " + v.type() + ", not " + expected);
    }

    private TensorInfo floatTensor(String name) throws IOException {
        TensorInfo info = tensor(name);
        if (!info.type().convertsToFloat()) {
            throw problem(file, "tensor " + name + " is " + info.type() + "; only F32, F16, BF16 and Q8_0 convert "
                    + "to floats");
        }
        if (info.elements() > Integer.MAX_VALUE - 8) {
            throw problem(file, "tensor " + name + " has " + info.elements() + " values, more than a Java array holds");
        }
        return info;
    }

    private static int alignment(Path file, Map<String, GgufValue> metadata) throws IOException {
        GgufValue value = metadata.get(GgufWriter.ALIGNMENT_KEY);
        if (value == null) {
            return GgufWriter.DEFAULT_ALIGNMENT;
        }
        if (value instanceof GgufValue.Int(GgufValue.Type type, long a) && type == GgufValue.Type.UINT32
                && a >= 1 && a <= 1 << 20 && Long.bitCount(a) == 1) {
            return (int) a;
        }
        throw problem(file, GgufWriter.ALIGNMENT_KEY + " must be a UINT32 power of two up to 2^20, got " + value);
    }

    static IOException problem(Path file, String message) {
        return new IOException(file + ": " + message);
    }

    /** Reads the header front to back, checking each length against the bytes that remain before trusting it. */
    private static final class Parser {
        private final Path file;
        private final MemorySegment in;
        private final long size;
        private long at;
        private long tensorCount;
        private long kvCount;

        Parser(Path file, MemorySegment in) {
            this.file = file;
            this.in = in;
            this.size = in.byteSize();
        }

        int header() throws IOException {
            if (size < 24) {
                throw problem(file, "file is " + size + " bytes, too short for a GGUF header (24 bytes)");
            }
            int magic = in.get(I32, 0);
            if (magic != GgufWriter.MAGIC) {
                throw problem(file, "not a GGUF file: it starts with 0x"
                        + Integer.toHexString(Integer.reverseBytes(magic)) + ", not \"GGUF\"");
            }
            int version = in.get(I32, 4);
            if (version != 2 && version != 3) {
                throw problem(file, "GGUF version " + Integer.toUnsignedString(version)
                        + " is not supported (only 2 and 3)");
            }
            at = 8;
            tensorCount = count("tensor count", 8 + 4 + 8 + 4 + 8);
            kvCount = count("metadata count", 8 + 4 + 1);
            return version;
        }

        Map<String, GgufValue> metadata() throws IOException {
            var metadata = new LinkedHashMap<String, GgufValue>();
            for (long i = 0; i < kvCount; i++) {
                String key = string("metadata key " + i);
                if (key.isEmpty()) {
                    throw problem(file, "metadata key " + i + " is empty");
                }
                if (metadata.containsKey(key)) {
                    throw problem(file, "metadata key " + key + " appears twice");
                }
                metadata.put(key, value(key));
            }
            return metadata;
        }

        Map<String, TensorInfo> tensors(int alignment) throws IOException {
            // offsets relative to the data section, which starts after the entries
            var entries = new ArrayList<TensorInfo>();
            for (long i = 0; i < tensorCount; i++) {
                String name = string("tensor name " + i);
                if (name.isEmpty() || name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
                    throw problem(file, "tensor " + i + ": name \"" + name + "\" is empty or longer than "
                            + MAX_NAME_BYTES + " bytes");
                }
                long rank = u32("tensor " + name + " dimension count");
                if (rank < 1 || rank > MAX_DIMS) {
                    throw problem(file, "tensor " + name + ": " + rank + " dimensions; GGUF allows 1 to " + MAX_DIMS);
                }
                long[] dims = new long[(int) rank];
                long elements = 1;
                for (int d = 0; d < rank; d++) {
                    dims[d] = u64("tensor " + name + " dimension");
                    if (dims[d] < 0 || (dims[d] > 0 && elements > Long.MAX_VALUE / dims[d])) {
                        throw problem(file, "tensor " + name + ": dimensions " + Arrays.toString(Arrays.copyOf(dims,
                                d + 1)) + " are impossibly large");
                    }
                    elements *= dims[d];
                }
                long typeId = u32("tensor " + name + " type");
                GgmlType type = GgmlType.byId(typeId);
                if (type == null) {
                    throw problem(file, "tensor " + name + ": unknown ggml type " + typeId);
                }
                if (dims[0] % type.blockSize() != 0) {
                    throw problem(file, "tensor " + name + ": rows of " + dims[0] + " values do not split into "
                            + type + " blocks of " + type.blockSize());
                }
                long bytes = type.bytes(elements);
                if (bytes < 0) {
                    throw problem(file, "tensor " + name + ": " + type + Arrays.toString(dims)
                            + " is impossibly large");
                }
                entries.add(new TensorInfo(name, type, dims, u64("tensor " + name + " offset"), bytes));
            }
            long dataStart = GgufWriter.pad(at, alignment);
            if (dataStart > size) {
                throw problem(file, "file ends inside the padding before the tensor data (truncated?)");
            }
            // llama.cpp's rule: tensors follow each other in entry order, each padded to the alignment
            var byName = new LinkedHashMap<String, TensorInfo>();
            long expected = 0;
            for (TensorInfo e : entries) {
                if (e.offset() != expected) {
                    throw problem(file, "tensor " + e.name() + " has data offset " + Long.toUnsignedString(e.offset())
                            + ", expected " + expected + " (tensors follow each other, aligned to " + alignment + ")");
                }
                if (e.bytes() > size - dataStart - e.offset()) {
                    throw problem(file, "tensor " + e.name() + " (" + e.type() + Arrays.toString(e.dims) + ", "
                            + e.bytes() + " bytes at " + (dataStart + e.offset()) + ") runs past the end of the "
                            + size + "-byte file (truncated?)");
                }
                var info = new TensorInfo(e.name(), e.type(), e.dims, dataStart + e.offset(), e.bytes());
                if (byName.put(e.name(), info) != null) {
                    throw problem(file, "tensor " + e.name() + " appears twice");
                }
                expected = GgufWriter.pad(e.offset() + e.bytes(), alignment);
            }
            return byName;
        }

        private GgufValue value(String key) throws IOException {
            GgufValue.Type type = type(key);
            if (type != GgufValue.Type.ARRAY) {
                return scalar(key, type);
            }
            GgufValue.Type element = type(key + " element");
            if (element == GgufValue.Type.ARRAY) {
                throw problem(file, "metadata key " + key + " is an array of arrays, which llama.cpp does not read");
            }
            long length = count(key + " array length", element.minBytes());
            if (length > Integer.MAX_VALUE - 8) {
                throw problem(file, "metadata key " + key + " has " + length
                        + " entries, more than a Java array holds");
            }
            int n = (int) length;
            if (element.isInteger()) {
                long[] values = new long[n];
                for (int i = 0; i < n; i++) {
                    values[i] = integer(element);
                }
                return new GgufValue.Ints(element, values);
            }
            if (element.isReal()) {
                double[] values = new double[n];
                for (int i = 0; i < n; i++) {
                    values[i] = real(element);
                }
                return new GgufValue.Reals(element, values);
            }
            if (element == GgufValue.Type.BOOL) {
                boolean[] values = new boolean[n];
                for (int i = 0; i < n; i++) {
                    values[i] = bool(key);
                }
                return new GgufValue.Bools(values);
            }
            var values = new ArrayList<String>(Math.min(n, 1 << 16));
            for (int i = 0; i < n; i++) {
                values.add(string(key + " entry " + i));
            }
            return new GgufValue.Texts(values);
        }

        private GgufValue scalar(String key, GgufValue.Type type) throws IOException {
            need(type.minBytes(), "value of " + key);
            if (type.isInteger()) {
                return new GgufValue.Int(type, integer(type));
            }
            if (type.isReal()) {
                return new GgufValue.Real(type, real(type));
            }
            if (type == GgufValue.Type.BOOL) {
                return new GgufValue.Bool(bool(key));
            }
            return new GgufValue.Text(string("value of " + key));
        }

        private GgufValue.Type type(String what) throws IOException {
            long id = u32("type of " + what);
            GgufValue.Type type = GgufValue.Type.byId((int) Math.min(id, Integer.MAX_VALUE));
            if (type == null) {
                throw problem(file, "metadata key " + what + " has unknown value type " + id);
            }
            return type;
        }

        /** An integer whose bytes {@link #count} or {@link #need} already checked are there. */
        private long integer(GgufValue.Type type) {
            long v = switch (type) {
                case UINT8 -> in.get(ValueLayout.JAVA_BYTE, at) & 0xFFL;
                case INT8 -> in.get(ValueLayout.JAVA_BYTE, at);
                case UINT16 -> in.get(I16, at) & 0xFFFFL;
                case INT16 -> in.get(I16, at);
                case UINT32 -> in.get(I32, at) & 0xFFFF_FFFFL;
                case INT32 -> in.get(I32, at);
                default -> in.get(I64, at);
            };
            at += type.minBytes();
            return v;
        }

        private double real(GgufValue.Type type) {
            double v = type == GgufValue.Type.FLOAT32 ? in.get(F32, at) : in.get(F64, at);
            at += type.minBytes();
            return v;
        }

        private boolean bool(String key) throws IOException {
            byte b = in.get(ValueLayout.JAVA_BYTE, at);
            if (b != 0 && b != 1) {
                throw problem(file, "metadata key " + key + " has boolean byte " + b + ", not 0 or 1");
            }
            at++;
            return b == 1;
        }

        private String string(String what) throws IOException {
            long length = u64(what + " length");
            if (length < 0 || length > size - at) {
                throw problem(file, what + ": length " + Long.toUnsignedString(length) + " runs past the end of the "
                        + size + "-byte file");
            }
            byte[] bytes = in.asSlice(at, length).toArray(ValueLayout.JAVA_BYTE);
            at += length;
            try {
                CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes));
                return chars.toString();
            } catch (CharacterCodingException e) {
                throw problem(file, what + " is not valid UTF-8");
            }
        }

        /** A u64 count of items of at least {@code minBytes} each, which must all fit in the rest of the file. */
        private long count(String what, int minBytes) throws IOException {
            long n = u64(what);
            if (n < 0 || n > (size - at) / minBytes) {
                throw problem(file, what + " " + Long.toUnsignedString(n) + " cannot fit in the " + (size - at)
                        + " bytes that remain");
            }
            return n;
        }

        private long u32(String what) throws IOException {
            need(4, what);
            return integer(GgufValue.Type.UINT32);
        }

        private long u64(String what) throws IOException {
            need(8, what);
            return integer(GgufValue.Type.UINT64);
        }

        private void need(long bytes, String what) throws IOException {
            if (bytes > size - at) {
                throw problem(file, "file ends inside the " + what + " at byte " + at + " (truncated?)");
            }
        }
    }
}
