package dev.jchat.model.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GGUF files as written and read back: layout, every metadata type, and each tensor type's conversion. */
class GgufTest {

    @TempDir
    Path dir;

    static Map<String, GgufValue> everyValueType() {
        var meta = new LinkedHashMap<String, GgufValue>();
        meta.put("general.architecture", GgufValue.string("llama"));
        meta.put("u8", new GgufValue.Int(GgufValue.Type.UINT8, 255));
        meta.put("i8", new GgufValue.Int(GgufValue.Type.INT8, -128));
        meta.put("u16", new GgufValue.Int(GgufValue.Type.UINT16, 65535));
        meta.put("i16", new GgufValue.Int(GgufValue.Type.INT16, -32768));
        meta.put("u32", GgufValue.uint32(4_000_000_000L));
        meta.put("i32", new GgufValue.Int(GgufValue.Type.INT32, -2_000_000_000));
        meta.put("u64", new GgufValue.Int(GgufValue.Type.UINT64, -1));
        meta.put("i64", new GgufValue.Int(GgufValue.Type.INT64, Long.MIN_VALUE));
        meta.put("f32", GgufValue.float32(1e-5));
        meta.put("f64", new GgufValue.Real(GgufValue.Type.FLOAT64, Math.PI));
        meta.put("bool", GgufValue.bool(true));
        meta.put("text", GgufValue.string("Ġthe 안녕 🌍 {{ bos_token }}"));
        meta.put("texts", GgufValue.strings(List.of("", "a", "Ġb c", "<|bos|>")));
        meta.put("ints", GgufValue.int32s(new int[] {1, -3, 5}));
        meta.put("u8s", new GgufValue.Ints(GgufValue.Type.UINT8, new long[] {0, 200}));
        meta.put("reals", new GgufValue.Reals(GgufValue.Type.FLOAT32, new double[] {0.5, -2}));
        meta.put("bools", new GgufValue.Bools(new boolean[] {true, false}));
        meta.put("empty", GgufValue.strings(List.of()));
        return meta;
    }

    @Test
    void everyMetadataTypeRoundTripsInOrder() throws IOException {
        Map<String, GgufValue> meta = everyValueType();
        Path file = dir.resolve("meta.gguf");
        GgufWriter.write(file, meta, List.of());
        try (GgufFile gguf = GgufFile.open(file)) {
            assertEquals(3, gguf.version());
            assertEquals(List.copyOf(meta.keySet()), List.copyOf(gguf.metadata().keySet()));
            for (var e : meta.entrySet()) {
                GgufValue read = gguf.metadata().get(e.getKey());
                assertEquals(e.getValue().type(), read.type(), e.getKey());
                switch (e.getValue()) {
                    case GgufValue.Ints v -> assertArrayEquals(v.values(), ((GgufValue.Ints) read).values());
                    case GgufValue.Reals v -> assertArrayEquals(v.values(), ((GgufValue.Reals) read).values());
                    case GgufValue.Bools v -> assertArrayEquals(v.values(), ((GgufValue.Bools) read).values());
                    default -> assertEquals(e.getValue(), read, e.getKey());
                }
            }
            assertEquals("llama", gguf.string("general.architecture"));
            assertEquals(4_000_000_000L, gguf.integer("u32"));
            assertEquals((float) 1e-5, gguf.real("f32"));
            var e = assertThrows(IOException.class, () -> gguf.integer("text"));
            assertEquals(file + ": metadata key text is STRING, not an integer", e.getMessage());
            e = assertThrows(IOException.class, () -> gguf.string("missing"));
            assertEquals(file + ": metadata key missing is missing", e.getMessage());
        }
    }

    @Test
    void headerAndTensorsAreLaidOutAsLlamaCppReadsThem() throws IOException {
        float[] values = ramp(96 + 7);
        Path file = dir.resolve("layout.gguf");
        GgufWriter.write(file, Map.of("k", GgufValue.uint32(1)), List.of(
                new GgufWriter.Tensor("a", GgmlType.F32, new long[] {7}, values, 96),
                new GgufWriter.Tensor("b", GgmlType.Q8_0, new long[] {32, 3}, values, 0)));
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals('G', bytes.get(0));
        assertEquals('F', bytes.get(3));
        assertEquals(3, bytes.getInt(4));
        assertEquals(2, bytes.getLong(8));
        assertEquals(1, bytes.getLong(16));
        try (GgufFile gguf = GgufFile.open(file)) {
            GgufFile.TensorInfo a = gguf.tensor("a");
            GgufFile.TensorInfo b = gguf.tensor("b");
            assertEquals(0, a.offset() % 32);
            // a's 28 bytes padded to 32, then b's three blocks of 34 bytes
            assertEquals(a.offset() + 32, b.offset());
            assertEquals(3 * 34, b.bytes());
            assertArrayEquals(new long[] {32, 3}, b.dims());
            assertEquals(0, Files.size(file) % 32, "the last tensor is padded too");
            assertArrayEquals(Arrays.copyOfRange(values, 96, 103), gguf.floats("a"));
        }
    }

    @Test
    void floatTypesConvertAsGgmlDoes() throws IOException {
        float[] values = ramp(64);
        values[5] = Float.NaN;
        values[6] = 1e-8f;
        values[7] = 70000f;
        Path file = dir.resolve("types.gguf");
        GgufWriter.write(file, Map.of(), List.of(
                new GgufWriter.Tensor("f32", GgmlType.F32, new long[] {64}, values, 0),
                new GgufWriter.Tensor("f16", GgmlType.F16, new long[] {8, 8}, values, 0),
                new GgufWriter.Tensor("bf16", GgmlType.BF16, new long[] {64}, values, 0)));
        try (GgufFile gguf = GgufFile.open(file)) {
            assertArrayEquals(values, gguf.floats("f32"));
            float[] f16 = gguf.floats("f16");
            float[] bf16 = gguf.floats("bf16");
            for (int i = 0; i < values.length; i++) {
                assertEquals(Float.float16ToFloat(Float.floatToFloat16(values[i])), f16[i], "f16 " + i);
                float expected = Float.isNaN(values[i]) ? Float.NaN
                        : Float.intBitsToFloat((Float.floatToIntBits(values[i]) + 0x7FFF
                                + ((Float.floatToIntBits(values[i]) >>> 16) & 1)) & 0xFFFF0000);
                assertEquals(expected, bf16[i], "bf16 " + i);
            }
            assertEquals(Float.POSITIVE_INFINITY, f16[7], "70000 overflows F16");
        }
    }

    @Test
    void q8BlocksUseGgmlsReferenceScaleAndRounding() throws IOException {
        float[] block = new float[32];
        // max |x| 127 makes the scale 1, so the values show the rounding: ties away from zero, as C's roundf
        block[0] = 127;
        block[1] = 2.5f;
        block[2] = -2.5f;
        block[3] = 0.49999997f;
        block[4] = -126.5f;
        block[5] = 3.4f;
        float[] zeros = new float[32];
        Path file = dir.resolve("q8.gguf");
        GgufWriter.write(file, Map.of(), List.of(
                new GgufWriter.Tensor("q", GgmlType.Q8_0, new long[] {32}, block, 0),
                new GgufWriter.Tensor("z", GgmlType.Q8_0, new long[] {32}, zeros, 0)));
        try (GgufFile gguf = GgufFile.open(file)) {
            float[] q = gguf.floats("q");
            assertArrayEquals(new float[] {127, 3, -3, 0, -127, 3}, Arrays.copyOf(q, 6));
            assertArrayEquals(zeros, gguf.floats("z"), "an all-zero block has scale 0, not NaN");
        }
        float[] random = new float[32 * 64];
        var rng = new Random(5);
        for (int i = 0; i < random.length; i++) {
            random[i] = (float) (rng.nextGaussian() * 0.02);
        }
        GgufWriter.write(file, Map.of(), List.of(new GgufWriter.Tensor("r", GgmlType.Q8_0, new long[] {64, 32},
                random, 0)));
        try (GgufFile gguf = GgufFile.open(file)) {
            float[] back = gguf.floats("r");
            for (int b = 0; b < random.length; b += 32) {
                float amax = 0;
                for (int j = 0; j < 32; j++) {
                    amax = Math.max(amax, Math.abs(random[b + j]));
                }
                for (int j = 0; j < 32; j++) {
                    // half a quantisation step, plus the F16 rounding of the scale applied to up to 127 steps
                    assertEquals(random[b + j], back[b + j], amax / 127 * (0.5 + 127 * 0x1p-11) + 1e-9);
                }
            }
        }
    }

    @Test
    void writerRefusesWhatLlamaCppCannotRead() {
        float[] values = new float[64];
        assertThrows(IllegalArgumentException.class, () -> new GgufWriter.Tensor("q", GgmlType.Q8_0,
                new long[] {16, 2}, values, 0), "rows must split into blocks of 32");
        assertThrows(IllegalArgumentException.class, () -> new GgufWriter.Tensor("k", GgmlType.Q4_K,
                new long[] {256}, new float[256], 0));
        assertThrows(IllegalArgumentException.class, () -> new GgufWriter.Tensor("x", GgmlType.F32,
                new long[] {1, 1, 1, 1, 1}, values, 0));
        assertThrows(IllegalArgumentException.class, () -> new GgufWriter.Tensor("x", GgmlType.F32,
                new long[] {65}, values, 0));
        assertThrows(IllegalArgumentException.class, () -> GgufWriter.write(dir.resolve("twice.gguf"), Map.of(),
                List.of(new GgufWriter.Tensor("x", GgmlType.F32, new long[] {1}, values, 0),
                        new GgufWriter.Tensor("x", GgmlType.F32, new long[] {1}, values, 0))));
        assertThrows(IllegalArgumentException.class, () -> GgufWriter.write(dir.resolve("align.gguf"),
                Map.of(GgufWriter.ALIGNMENT_KEY, GgufValue.uint32(24)), List.of()));
    }

    @Test
    void aCustomAlignmentIsHonoured() throws IOException {
        Path file = dir.resolve("align.gguf");
        float[] values = ramp(10);
        GgufWriter.write(file, Map.of(GgufWriter.ALIGNMENT_KEY, GgufValue.uint32(64)), List.of(
                new GgufWriter.Tensor("a", GgmlType.F32, new long[] {3}, values, 0),
                new GgufWriter.Tensor("b", GgmlType.F32, new long[] {5}, values, 5)));
        try (GgufFile gguf = GgufFile.open(file)) {
            assertEquals(0, gguf.tensor("a").offset() % 64);
            assertEquals(gguf.tensor("a").offset() + 64, gguf.tensor("b").offset());
            assertArrayEquals(Arrays.copyOfRange(values, 5, 10), gguf.floats("b"));
        }
    }

    static float[] ramp(int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (i - n / 3f) * 0.37f;
        }
        return values;
    }

    @Test
    void typesAreKnownByTheirGgufNumbers() {
        assertEquals(GgmlType.Q8_0, GgmlType.byId(8));
        assertEquals(GgmlType.BF16, GgmlType.byId(30));
        assertEquals(null, GgmlType.byId(4), "Q4_2 was removed from ggml");
        assertEquals(34 * 4, GgmlType.Q8_0.bytes(128));
        assertTrue(GgmlType.F32.bytes(Long.MAX_VALUE / 2) < 0, "overflow is reported, not wrapped");
    }
}
