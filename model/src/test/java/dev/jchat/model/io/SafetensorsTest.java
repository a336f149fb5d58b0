package dev.jchat.model.io;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.model.GoldenTiny;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Writing and reading safetensors, and byte-for-byte agreement with the reference writer's files. */
class SafetensorsTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsEveryFloatTypeWithMetadataSlicesScalarsAndEmptyTensors() throws IOException {
        var random = new Random(1);
        float[] flat = new float[1000];
        for (int i = 0; i < flat.length; i++) {
            flat[i] = (float) random.nextGaussian();
        }
        Path file = dir.resolve("t.safetensors");
        Safetensors.write(file, Map.of("step", "7"), List.of(
                new Safetensors.Entry("a", DType.F32, new long[] {3, 5, 7}, flat, 13),
                new Safetensors.Entry("half", DType.F16, new long[] {9}, flat, 0),
                new Safetensors.Entry("brain", DType.BF16, new long[] {2, 3}, flat, 500),
                new Safetensors.Entry("double", DType.F64, new long[] {11}, flat, 900),
                new Safetensors.Entry("scalar", DType.F32, new long[] {}, flat, 999),
                new Safetensors.Entry("empty", DType.F32, new long[] {4, 0}, flat, 1000)));
        assertEquals(0, (Files.size(file) - 8 - (3 * 5 * 7 * 4 + 9 * 2 + 6 * 2 + 11 * 8 + 4)) % 8, "header padding");
        try (var st = Safetensors.open(file)) {
            assertEquals(Map.of("format", "pt", "step", "7"), st.metadata());
            assertEquals(List.of("a", "half", "brain", "double", "scalar", "empty"),
                    st.tensors().stream().map(TensorInfo::name).toList());
            assertArrayEquals(new long[] {3, 5, 7}, st.tensor("a").shape());
            assertEquals(DType.BF16, st.tensor("brain").dtype());
            assertArrayEquals(Arrays.copyOfRange(flat, 13, 13 + 105), st.floats("a"));
            assertArrayEquals(Arrays.copyOfRange(flat, 900, 911), st.floats("double"));
            assertArrayEquals(new float[] {flat[999]}, st.floats("scalar"));
            assertEquals(0, st.floats("empty").length);
            float[] half = st.floats("half");
            float[] brain = st.floats("brain");
            for (int i = 0; i < 9; i++) {
                assertEquals(flat[i], half[i], Math.abs(flat[i]) * 0x1p-11 + 0x1p-24, "F16 " + i);
            }
            for (int i = 0; i < 6; i++) {
                assertEquals(flat[500 + i], brain[i], Math.abs(flat[500 + i]) * 0x1p-8, "BF16 " + i);
            }
            float[] into = new float[120];
            st.floats("a", into, 15);
            assertArrayEquals(st.floats("a"), Arrays.copyOfRange(into, 15, 120));
            assertTrue(st.contains("a"));
            assertFalse(st.contains("b"));
            var missing = assertThrows(IllegalArgumentException.class, () -> st.floats("b"));
            assertTrue(missing.getMessage().contains(file.toString()) && missing.getMessage().contains("b"));
            assertThrows(IllegalArgumentException.class, () -> st.floats("a", into, 16));
        }
    }

    @Test
    void keepsACallersFormatAndRejectsBadEntries() throws IOException {
        Path file = dir.resolve("t.safetensors");
        Safetensors.write(file, Map.of("format", "np"), List.of());
        try (var st = Safetensors.open(file)) {
            assertEquals(Map.of("format", "np"), st.metadata());
            assertTrue(st.tensors().isEmpty());
        }
        float[] four = new float[4];
        assertThrows(IllegalArgumentException.class, () -> Safetensors.Entry.of("x", DType.F32, four, 5));
        assertThrows(IllegalArgumentException.class, () -> Safetensors.Entry.of("x", DType.I32, four, 4));
        assertThrows(IllegalArgumentException.class, () -> Safetensors.Entry.of("__metadata__", DType.F32, four, 4));
        assertThrows(IllegalArgumentException.class, () -> new Safetensors.Entry("x", DType.F32, new long[] {-1}, four, 0));
        assertThrows(IllegalArgumentException.class, () -> new Safetensors.Entry("x", DType.F32, new long[] {2}, four, 3));
        var twice = List.of(Safetensors.Entry.of("x", DType.F32, four, 4), Safetensors.Entry.of("x", DType.F32, four, 4));
        assertThrows(IllegalArgumentException.class, () -> Safetensors.write(file, Map.of(), twice));
    }

    @Test
    void writesAtomicallyOverAnExistingFile() throws IOException {
        Path file = dir.resolve("t.safetensors");
        Files.writeString(file, "old");
        Safetensors.write(file, Map.of(), List.of(Safetensors.Entry.of("x", DType.F32, new float[] {1, 2}, 2)));
        try (var st = Safetensors.open(file)) {
            assertArrayEquals(new float[] {1, 2}, st.floats("x"));
        }
        try (var listing = Files.list(dir)) {
            assertEquals(List.of(file), listing.toList(), "no partial file left behind");
        }
    }

    @Test
    void readsWhatThePythonReferenceWroteInEveryFloatTypeAndWritesTheSameBytes() throws IOException {
        Path reference = resource("/golden/dtypes/dtypes.safetensors");
        float[] source;
        var entries = new ArrayList<Safetensors.Entry>();
        try (var st = Safetensors.open(reference)) {
            source = st.floats("f32");
            float[] half = st.floats("f16");
            float[] brain = st.floats("bf16");
            float[] wide = st.floats("f64");
            for (int i = 0; i < source.length; i++) {
                float x = source[i];
                assertEquals(Float.float16ToFloat(Float.floatToFloat16(x)), half[i], 0, "F16 of " + x);
                assertEquals(x, wide[i], 0, "F64 of " + x);
                float bf = brain[i];
                assertEquals(0, Float.floatToRawIntBits(bf) & 0xFFFF, "BF16 of " + x);
                boolean close = Float.isNaN(x) ? Float.isNaN(bf)
                        : Float.isInfinite(bf) ? Math.signum(bf) == Math.signum(x) && Math.abs(x) >= 0x1.FEp127f
                        : Math.abs(bf - x) <= Math.abs(x) * 0x1p-8 + 0x1p-133;
                assertTrue(close, "BF16 of " + x + " read as " + bf);
            }
            for (var info : st.tensors()) {
                entries.add(Safetensors.Entry.of(info.name(), info.dtype(), source, info.shape()));
            }
            assertEquals(Map.of("format", "pt"), st.metadata());
        }
        Path ours = dir.resolve("dtypes.safetensors");
        Safetensors.write(ours, Map.of(), entries);
        assertArrayEquals(Files.readAllBytes(reference), Files.readAllBytes(ours));
    }

    @Test
    void rewritesTheGoldenCheckpointByteForByte() throws IOException {
        Path reference = GoldenTiny.dir().resolve("model.safetensors");
        var entries = new ArrayList<Safetensors.Entry>();
        Map<String, String> metadata;
        try (var st = Safetensors.open(reference)) {
            metadata = st.metadata();
            for (var info : st.tensors()) {
                entries.add(Safetensors.Entry.of(info.name(), info.dtype(), st.floats(info.name()), info.shape()));
            }
        }
        assertEquals("half", metadata.get("rope_layout"));
        Path ours = dir.resolve("model.safetensors");
        Safetensors.write(ours, metadata, entries);
        assertArrayEquals(Files.readAllBytes(reference), Files.readAllBytes(ours));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"I64", "U8", "BOOL", "F8_E4M3"})
    void validatesButWillNotConvertNonFloatTensors(DType dtype) throws IOException {
        Path file = dir.resolve("t.safetensors");
        int bytes = 3 * dtype.bytes();
        String json = "{\"x\":{\"dtype\":\"" + dtype + "\",\"shape\":[3],\"data_offsets\":[0," + bytes + "]}}";
        Files.write(file, raw(json, new byte[bytes]));
        try (var st = Safetensors.open(file)) {
            assertEquals(dtype, st.tensor("x").dtype());
            var e = assertThrows(IllegalArgumentException.class, () -> st.floats("x"));
            assertTrue(e.getMessage().contains("not a floating-point type"), e.getMessage());
        }
    }

    @Test
    void readsHeadersAsOtherWritersLayThemOut() throws IOException {
        // unpadded header, tensors listed out of data order, extra fields, little-endian values
        Path file = dir.resolve("t.safetensors");
        var data = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-2f).putFloat(3f);
        String json = "{\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12],\"extra\":{\"x\":[1]}},"
                + "\"a\":{\"shape\":[],\"data_offsets\":[0,4],\"dtype\":\"F32\"}}";
        Files.write(file, raw(json, data.array()));
        try (var st = Safetensors.open(file)) {
            assertEquals(List.of("a", "b"), st.tensors().stream().map(TensorInfo::name).toList());
            assertArrayEquals(new float[] {1.5f}, st.floats("a"));
            assertArrayEquals(new float[] {-2f, 3f}, st.floats("b"));
            assertTrue(st.metadata().isEmpty());
        }
    }

    @Test
    void readsTensorsBeyondTheFirstTwoGigabytes() throws IOException {
        // a sparse file: 3 GB of U8 padding costs no disk, and the F32 tensor after it sits past 2^31
        long pad = 3L << 30;
        String json = "{\"pad\":{\"dtype\":\"U8\",\"shape\":[" + pad + "],\"data_offsets\":[0," + pad + "]},"
                + "\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[" + pad + "," + (pad + 8) + "]}}";
        Path file = dir.resolve("big.safetensors");
        Files.write(file, raw(json, new byte[0]));
        long dataStart = Files.size(file);
        try (var out = FileChannel.open(file, StandardOpenOption.WRITE)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(0.5f).putFloat(-7f).flip(),
                    dataStart + pad);
        }
        try (var st = Safetensors.open(file)) {
            assertEquals(pad, st.tensor("pad").elements());
            assertArrayEquals(new float[] {0.5f, -7f}, st.floats("x"));
        }
    }

    /** A file of the given header text (unpadded) and data bytes. */
    static byte[] raw(String header, byte[] data) {
        byte[] h = header.getBytes(UTF_8);
        return ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(h.length).put(h).put(data).array();
    }

    static Path resource(String name) {
        try {
            return Path.of(SafetensorsTest.class.getResource(name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
