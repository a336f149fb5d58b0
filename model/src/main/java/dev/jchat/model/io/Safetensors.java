package dev.jchat.model.io;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonParser.NumberType;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.ByteArrayOutputStream;
import java.io.CharConversionException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format (HF's, also what transformers and llama.cpp's converter read): an 8-byte little-endian
 * header length, a JSON header {@code {name: {dtype, shape, data_offsets}, "__metadata__": {string: string}}},
 * then the tensors' little-endian bytes, tiled in offset order with no gaps.
 *
 * <p>{@link #open} memory-maps a file and validates its whole header as the Rust reference implementation does
 * before anything is read, so a truncated or hostile file fails with an {@link IOException} that names the file
 * and the problem, after allocating at most the header (itself capped at {@value #MAX_HEADER_BYTES} bytes and
 * by the file's size). {@link #write} writes {@code float} data as F32, F16, BF16 or F64, atomically.
 */
public final class Safetensors implements AutoCloseable {
    /** The reference implementation's limit; real headers are kilobytes. */
    public static final long MAX_HEADER_BYTES = 100_000_000;
    /** Tensors have a handful of dimensions; the cap keeps a hostile shape list from filling memory. */
    private static final int MAX_RANK = 64;
    /** Conversion buffer for writing: large enough that the channel writes are cheap, small next to any model. */
    private static final int WRITE_CHUNK = 1 << 20;

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .build();
    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64_LE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path file;
    private final Arena arena;
    private final MemorySegment data;
    private final Map<String, String> metadata;
    private final Map<String, TensorInfo> tensors;

    private Safetensors(Path file, Arena arena, MemorySegment data, Map<String, String> metadata,
                        Map<String, TensorInfo> tensors) {
        this.file = file;
        this.arena = arena;
        this.data = data;
        this.metadata = metadata;
        this.tensors = tensors;
    }

    /**
     * A tensor to write: {@code shape}'s product of values from {@code data}, starting at {@code offset} (so
     * that the slices of one flat parameter array can be written without copies).
     */
    public record Entry(String name, DType dtype, long[] shape, float[] data, int offset) {

        public Entry {
            if (name.equals("__metadata__")) {
                throw new IllegalArgumentException("__metadata__ is reserved and cannot name a tensor");
            }
            if (!dtype.isFloat()) {
                throw new IllegalArgumentException(name + ": cannot write float data as " + dtype);
            }
            shape = shape.clone();
            long n = elements(shape);
            if (n < 0 || offset < 0 || offset > data.length - n) {
                throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " at offset " + offset
                        + " does not fit in " + data.length + " values");
            }
        }

        /** The whole of {@code data}, which must hold exactly the shape's product of values. */
        public static Entry of(String name, DType dtype, float[] data, long... shape) {
            if (elements(shape) != data.length) {
                throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " needs "
                        + elements(shape) + " values, got " + data.length);
            }
            return new Entry(name, dtype, shape, data, 0);
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        /** The shape's product, or -1 when a dimension is negative or the product overflows. */
        private static long elements(long[] shape) {
            long n = 1;
            for (long d : shape) {
                if (d < 0) {
                    return -1;
                }
                try {
                    n = Math.multiplyExact(n, d);
                } catch (ArithmeticException e) {
                    return -1;
                }
            }
            return n;
        }
    }

    /** Maps {@code file} and validates its header; {@link #close} unmaps it. */
    public static Safetensors open(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) {
                throw problem(file, "file is " + size + " bytes, too short for the 8-byte header length");
            }
            long headerBytes = readFully(file, channel, ByteBuffer.allocate(8), 0).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (headerBytes < 0 || headerBytes > MAX_HEADER_BYTES) {
                throw problem(file, "header length " + Long.toUnsignedString(headerBytes) + " exceeds the limit of "
                        + MAX_HEADER_BYTES + " bytes");
            }
            if (headerBytes > size - 8) {
                throw problem(file, "header length " + headerBytes + " runs past the end of the " + size
                        + "-byte file (truncated?)");
            }
            byte[] header = readFully(file, channel, ByteBuffer.allocate((int) headerBytes), 8).array();
            var metadata = new LinkedHashMap<String, String>();
            List<TensorInfo> infos = parseHeader(file, header, metadata);
            Map<String, TensorInfo> tensors = validateLayout(file, infos, size - 8 - headerBytes);
            Arena arena = Arena.ofShared();
            try {
                MemorySegment data = channel.map(FileChannel.MapMode.READ_ONLY, 8 + headerBytes, size - 8 - headerBytes,
                        arena);
                return new Safetensors(file, arena, data, Collections.unmodifiableMap(metadata),
                        Collections.unmodifiableMap(tensors));
            } catch (IOException | RuntimeException e) {
                arena.close();
                throw e;
            }
        }
    }

    public Path file() {
        return file;
    }

    /** The {@code __metadata__} strings (HF files carry {@code "format": "pt"}); empty when there are none. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Every tensor, in data order. */
    public List<TensorInfo> tensors() {
        return List.copyOf(tensors.values());
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** The header entry of tensor {@code name}; an {@link IllegalArgumentException} if there is none. */
    public TensorInfo tensor(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new IllegalArgumentException(file + ": no tensor named " + name);
        }
        return info;
    }

    /** Tensor {@code name} converted to floats (F16 and BF16 exactly, F64 rounded to nearest). */
    public float[] floats(String name) {
        TensorInfo info = floatTensor(name);
        float[] out = new float[(int) info.elements()];
        copy(info, out, 0);
        return out;
    }

    /** Tensor {@code name} converted to floats into {@code dst} from {@code offset}, e.g. a flat parameter array. */
    public void floats(String name, float[] dst, int offset) {
        TensorInfo info = floatTensor(name);
        long n = info.elements();
        if (offset < 0 || offset > dst.length - n) {
            throw new IllegalArgumentException(file + ": tensor " + name + " (" + n + " values) does not fit in "
                    + dst.length + " values at offset " + offset);
        }
        copy(info, dst, offset);
    }

    @Override
    public void close() {
        arena.close();
    }

    /**
     * Writes {@code tensors} in the given order, tiled from offset 0. {@code metadata} goes into
     * {@code __metadata__}, preceded by {@code "format": "pt"} unless it names a format itself, because
     * transformers refuses a file without one. The header is compact JSON padded with spaces to a multiple of
     * 8 bytes, as the reference implementation writes it, so the data that follows starts aligned.
     */
    public static void write(Path file, Map<String, String> metadata, List<Entry> tensors) throws IOException {
        byte[] header = header(metadata, tensors);
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        try {
            try (FileChannel out = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = ByteBuffer.allocate(WRITE_CHUNK).order(ByteOrder.LITTLE_ENDIAN);
                buffer.putLong(header.length);
                drain(out, buffer);
                writeFully(out, ByteBuffer.wrap(header));
                for (Entry e : tensors) {
                    writeData(out, buffer, e);
                }
                drain(out, buffer);
                // the rename below must not publish a file whose bytes a crash could still lose
                out.force(true);
            }
            Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    // ------------------------------------------------------------------------------------------------- reading

    private static List<TensorInfo> parseHeader(Path file, byte[] header, Map<String, String> metadata)
            throws IOException {
        // the reference implementation insists on this too; it also keeps Jackson from guessing UTF-16 or UTF-32
        if (header.length == 0 || header[0] != '{') {
            throw problem(file, "header does not start with '{'");
        }
        var infos = new ArrayList<TensorInfo>();
        try (JsonParser p = JSON.createParser(header)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                if (name.equals("__metadata__")) {
                    readMetadata(file, p, metadata);
                } else {
                    infos.add(readTensor(file, p, name));
                }
            }
            if (p.nextToken() != null) {
                throw problem(file, "header has data after its JSON object");
            }
        } catch (JsonProcessingException | CharConversionException e) {
            throw problem(file, "header is not valid JSON: " + (e instanceof JsonProcessingException j
                    ? j.getOriginalMessage() : e.getMessage()));
        }
        return infos;
    }

    private static void readMetadata(Path file, JsonParser p, Map<String, String> metadata) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw problem(file, "__metadata__ is not a JSON object");
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            if (p.nextToken() != JsonToken.VALUE_STRING) {
                throw problem(file, "__metadata__ value of " + key + " is not a string");
            }
            metadata.put(key, p.getText());
        }
    }

    private static TensorInfo readTensor(Path file, JsonParser p, String name) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw problem(file, "tensor " + name + ": entry is not a JSON object");
        }
        DType dtype = null;
        long[] shape = null;
        long[] offsets = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "dtype" -> dtype = readDType(file, p, name);
                case "shape" -> shape = readLongs(file, p, name, "shape", MAX_RANK);
                case "data_offsets" -> offsets = readLongs(file, p, name, "data_offsets", 2);
                default -> p.skipChildren();
            }
        }
        if (dtype == null || shape == null || offsets == null) {
            throw problem(file, "tensor " + name + ": needs dtype, shape and data_offsets");
        }
        if (offsets.length != 2 || offsets[0] > offsets[1]) {
            throw problem(file, "tensor " + name + ": data_offsets " + Arrays.toString(offsets)
                    + " is not a [begin, end] pair");
        }
        long bytes;
        try {
            bytes = dtype.bytes();
            for (long d : shape) {
                bytes = Math.multiplyExact(bytes, d);
            }
        } catch (ArithmeticException e) {
            throw problem(file, "tensor " + name + ": shape " + Arrays.toString(shape) + " is impossibly large");
        }
        if (offsets[1] - offsets[0] != bytes) {
            throw problem(file, "tensor " + name + ": data_offsets " + Arrays.toString(offsets) + " span "
                    + (offsets[1] - offsets[0]) + " bytes, but " + dtype + Arrays.toString(shape) + " needs " + bytes);
        }
        return new TensorInfo(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static DType readDType(Path file, JsonParser p, String name) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw problem(file, "tensor " + name + ": dtype is not a string");
        }
        String text = p.getText();
        try {
            return DType.valueOf(text);
        } catch (IllegalArgumentException e) {
            throw problem(file, "tensor " + name + ": unknown dtype \"" + text + "\"");
        }
    }

    /** A JSON array of at most {@code max} integers in [0, 2^63). */
    private static long[] readLongs(Path file, JsonParser p, String name, String field, int max) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw problem(file, "tensor " + name + ": " + field + " is not a JSON array");
        }
        long[] values = new long[max];
        int n = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (n == max) {
                throw problem(file, "tensor " + name + ": " + field + " has more than " + max + " entries");
            }
            if (p.currentToken() != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == NumberType.BIG_INTEGER
                    || p.getLongValue() < 0) {
                throw problem(file, "tensor " + name + ": " + field + " entry " + p.getText()
                        + " is not an integer in [0, 2^63)");
            }
            values[n++] = p.getLongValue();
        }
        return Arrays.copyOf(values, n);
    }

    /** Checks the tensors tile the data section exactly, as the reference implementation requires. */
    private static Map<String, TensorInfo> validateLayout(Path file, List<TensorInfo> infos, long dataBytes)
            throws IOException {
        infos.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long expected = 0;
        var byName = new LinkedHashMap<String, TensorInfo>();
        for (TensorInfo info : infos) {
            if (info.begin() != expected) {
                throw problem(file, "tensor " + info.name() + " starts at byte " + info.begin() + " of the data, "
                        + "expected " + expected + " (tensors must tile the data without gaps or overlaps)");
            }
            expected = info.end();
            byName.put(info.name(), info);
        }
        if (expected != dataBytes) {
            throw problem(file, "tensors cover " + expected + " bytes of data, but the file holds " + dataBytes
                    + (expected > dataBytes ? " (truncated?)" : ""));
        }
        return byName;
    }

    private TensorInfo floatTensor(String name) {
        TensorInfo info = tensor(name);
        if (!info.dtype().isFloat()) {
            throw new IllegalArgumentException(file + ": tensor " + name + " is " + info.dtype()
                    + ", not a floating-point type");
        }
        if (info.elements() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(file + ": tensor " + name + " has " + info.elements()
                    + " values, more than a Java array holds");
        }
        return info;
    }

    private void copy(TensorInfo info, float[] dst, int offset) {
        int n = (int) info.elements();
        long at = info.begin();
        switch (info.dtype()) {
            case F32 -> MemorySegment.copy(data, F32_LE, at, dst, offset, n);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    dst[offset + i] = Float.float16ToFloat(data.get(U16_LE, at + 2L * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    dst[offset + i] = Float.intBitsToFloat(data.get(U16_LE, at + 2L * i) << 16);
                }
            }
            case F64 -> {
                for (int i = 0; i < n; i++) {
                    dst[offset + i] = (float) data.get(F64_LE, at + 8L * i);
                }
            }
            default -> throw new AssertionError(info.dtype());
        }
    }

    private static ByteBuffer readFully(Path file, FileChannel channel, ByteBuffer buffer, long position)
            throws IOException {
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position + buffer.position());
            if (n < 0) {
                throw problem(file, "file shrank while being read");
            }
        }
        return buffer.flip();
    }

    private static IOException problem(Path file, String message) {
        return new IOException(file + ": " + message);
    }

    // ------------------------------------------------------------------------------------------------- writing

    private static byte[] header(Map<String, String> metadata, List<Entry> tensors) throws IOException {
        var meta = new LinkedHashMap<String, String>();
        if (!metadata.containsKey("format")) {
            meta.put("format", "pt");
        }
        meta.putAll(metadata);
        var names = new HashSet<String>();
        var json = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(json, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeObjectFieldStart("__metadata__");
            for (var e : meta.entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            long offset = 0;
            for (Entry e : tensors) {
                if (!names.add(e.name())) {
                    throw new IllegalArgumentException("tensor " + e.name() + " is listed twice");
                }
                long[] shape = e.shape();
                long end = offset + Entry.elements(shape) * e.dtype().bytes();
                g.writeObjectFieldStart(e.name());
                g.writeStringField("dtype", e.dtype().name());
                g.writeArrayFieldStart("shape");
                for (long d : shape) {
                    g.writeNumber(d);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("data_offsets");
                g.writeNumber(offset);
                g.writeNumber(end);
                g.writeEndArray();
                g.writeEndObject();
                offset = end;
            }
            g.writeEndObject();
        }
        while (json.size() % 8 != 0) {
            json.write(' ');
        }
        return json.toByteArray();
    }

    private static void writeData(FileChannel out, ByteBuffer buffer, Entry e) throws IOException {
        float[] src = e.data();
        int n = (int) Entry.elements(e.shape());
        int per = e.dtype().bytes();
        for (int i = 0; i < n; ) {
            int count = Math.min(n - i, buffer.remaining() / per);
            int from = e.offset() + i;
            switch (e.dtype()) {
                case F32 -> buffer.asFloatBuffer().put(src, from, count);
                case F16 -> {
                    for (int k = 0; k < count; k++) {
                        buffer.putShort(buffer.position() + 2 * k, Float.floatToFloat16(src[from + k]));
                    }
                }
                case BF16 -> {
                    for (int k = 0; k < count; k++) {
                        buffer.putShort(buffer.position() + 2 * k, bf16(src[from + k]));
                    }
                }
                case F64 -> {
                    for (int k = 0; k < count; k++) {
                        buffer.putDouble(buffer.position() + 8 * k, src[from + k]);
                    }
                }
                default -> throw new AssertionError(e.dtype());
            }
            buffer.position(buffer.position() + count * per);
            i += count;
            if (buffer.remaining() < 8) {
                drain(out, buffer);
            }
        }
    }

    /** Round to nearest even, as PyTorch converts; every NaN becomes the quiet NaN 0x7FC0. */
    private static short bf16(float f) {
        if (Float.isNaN(f)) {
            return 0x7FC0;
        }
        int bits = Float.floatToRawIntBits(f);
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    private static void drain(FileChannel out, ByteBuffer buffer) throws IOException {
        writeFully(out, buffer.flip());
        buffer.clear();
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }
}
