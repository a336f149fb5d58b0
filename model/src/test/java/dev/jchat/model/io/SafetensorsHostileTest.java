package dev.jchat.model.io;

import static dev.jchat.model.io.SafetensorsTest.raw;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.model.HostileFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Broken and hostile files: every one fails with an {@link IOException} that names the file and the problem,
 * quickly and without large allocations (a header that claims gigabytes must not be believed).
 */
class SafetensorsHostileTest {
    private static final String F32_2 = "\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":";

    @TempDir
    Path dir;

    static Stream<Arguments> brokenFiles() {
        byte[] eight = new byte[8];
        return Stream.of(
                Arguments.of("empty file", new byte[0], "too short"),
                Arguments.of("seven bytes", new byte[7], "too short"),
                Arguments.of("header length 2^64 - 1", lengthOnly(-1L, 100), "exceeds the limit"),
                Arguments.of("header length 200 MB", lengthOnly(200_000_000L, 100), "exceeds the limit"),
                Arguments.of("header length past the end", lengthOnly(99_999_999L, 100), "runs past the end"),
                Arguments.of("empty header", lengthOnly(0, 0), "does not start with '{'"),
                Arguments.of("header is an array", raw("[]", eight), "does not start with '{'"),
                Arguments.of("header is not JSON", raw("{abc", eight), "not valid JSON"),
                Arguments.of("JSON cut short", raw("{\"a\":{\"dtype\":\"F3", eight), "not valid JSON"),
                Arguments.of("trailing text", raw("{} x", eight), "not valid JSON"),
                Arguments.of("second object", raw("{}{}", eight), "data after"),
                Arguments.of("invalid UTF-8", corrupt("{\"\u00ff\":1}", eight, 2, (byte) 0xff), "not valid JSON"),
                Arguments.of("deep nesting", raw("{\"a\":{\"x\":" + "[".repeat(5000) + "]".repeat(5000)
                        + "," + F32_2 + "[0,8]}}", eight), "not valid JSON"),
                Arguments.of("duplicate name", raw("{\"a\":{" + F32_2 + "[0,8]},\"a\":{" + F32_2 + "[0,8]}}", eight),
                        "Duplicate field"),
                Arguments.of("entry not an object", raw("{\"a\":1}", eight), "entry is not a JSON object"),
                Arguments.of("unknown dtype", raw("{\"a\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                        eight), "unknown dtype \"Q4\""),
                Arguments.of("dtype not a string", raw("{\"a\":{\"dtype\":4,\"shape\":[2],\"data_offsets\":[0,8]}}",
                        eight), "dtype is not a string"),
                Arguments.of("negative dimension", raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":"
                        + "[0,8]}}", eight), "shape entry -2 is not an integer"),
                Arguments.of("fractional dimension", raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":"
                        + "[0,8]}}", eight), "is not an integer"),
                Arguments.of("dimension beyond 64 bits", raw("{\"a\":{\"dtype\":\"F32\",\"shape\":"
                        + "[99999999999999999999999],\"data_offsets\":[0,8]}}", eight), "is not an integer"),
                Arguments.of("product overflows", raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],"
                        + "\"data_offsets\":[0,8]}}", eight), "impossibly large"),
                Arguments.of("huge shape, honest offsets", raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1000000000000],"
                        + "\"data_offsets\":[0,4000000000000]}}", eight), "truncated"),
                Arguments.of("rank 100", raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[" + "1,".repeat(99)
                        + "1],\"data_offsets\":[0,4]}}", eight), "more than 64 entries"),
                Arguments.of("shape not an array", raw("{\"a\":{\"dtype\":\"F32\",\"shape\":2,\"data_offsets\":"
                        + "[0,8]}}", eight), "shape is not a JSON array"),
                Arguments.of("missing data_offsets", raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", eight),
                        "needs dtype, shape and data_offsets"),
                Arguments.of("three offsets", raw("{\"a\":{" + F32_2 + "[0,8,8]}}", eight), "more than 2 entries"),
                Arguments.of("one offset", raw("{\"a\":{" + F32_2 + "[8]}}", eight), "not a [begin, end] pair"),
                Arguments.of("reversed offsets", raw("{\"a\":{" + F32_2 + "[8,0]}}", eight), "not a [begin, end] pair"),
                Arguments.of("offsets disagree with shape", raw("{\"a\":{" + F32_2 + "[0,4]}}", eight),
                        "span 4 bytes, but F32[2] needs 8"),
                Arguments.of("offsets past the data", raw("{\"a\":{" + F32_2 + "[8,16]}}", eight),
                        "starts at byte 8 of the data, expected 0"),
                Arguments.of("data cut short", raw("{\"a\":{" + F32_2 + "[0,8]}}", new byte[4]), "truncated"),
                Arguments.of("data left over", raw("{\"a\":{" + F32_2 + "[0,8]}}", new byte[12]),
                        "cover 8 bytes of data, but the file holds 12"),
                Arguments.of("overlap", raw("{\"a\":{" + F32_2 + "[0,8]},\"b\":{" + F32_2 + "[4,12]}}",
                        new byte[12]), "starts at byte 4 of the data, expected 8"),
                Arguments.of("gap", raw("{\"a\":{" + F32_2 + "[0,8]},\"b\":{" + F32_2 + "[12,20]}}", new byte[20]),
                        "starts at byte 12 of the data, expected 8"),
                Arguments.of("metadata not an object", raw("{\"__metadata__\":[]}", new byte[0]),
                        "__metadata__ is not a JSON object"),
                Arguments.of("metadata value not a string", raw("{\"__metadata__\":{\"format\":1}}", new byte[0]),
                        "__metadata__ value of format is not a string"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenFiles")
    void brokenFileFailsNamingTheFileAndTheProblem(String what, byte[] content, String problem) throws IOException {
        Path file = dir.resolve("broken.safetensors");
        Files.write(file, content);
        var e = assertThrows(IOException.class, () -> openAndReadAll(file), what);
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(problem), what + ": " + e.getMessage());
    }

    @Test
    void everyTruncationOfAValidFileFails() throws IOException {
        HostileFiles.everyTruncationFails(dir.resolve("cut.safetensors"), validFile(),
                SafetensorsHostileTest::openAndReadAll);
    }

    @Test
    void randomByteFlipsFailCleanlyOrReadFine() throws IOException {
        byte[] valid = validFile();
        Path file = dir.resolve("flipped.safetensors");
        HostileFiles.randomFlipsFailCleanly(file, valid, 600, 8 + 200, SafetensorsHostileTest::openAndReadAll);
    }

    /** A small file with every float type, so that flips can land in each kind of entry. */
    private byte[] validFile() throws IOException {
        float[] values = new float[64];
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 0.25f - 3;
        }
        Path file = dir.resolve("valid.safetensors");
        Safetensors.write(file, Map.of("step", "1"), List.of(
                new Safetensors.Entry("w", DType.F32, new long[] {4, 4}, values, 0),
                new Safetensors.Entry("h", DType.F16, new long[] {8}, values, 16),
                new Safetensors.Entry("b", DType.BF16, new long[] {2, 2, 2}, values, 24),
                new Safetensors.Entry("d", DType.F64, new long[] {3}, values, 32)));
        return Files.readAllBytes(file);
    }

    private static void openAndReadAll(Path file) throws IOException {
        try (var st = Safetensors.open(file)) {
            for (var info : st.tensors()) {
                if (info.dtype().isFloat()) {
                    st.floats(info.name());
                }
            }
        }
    }

    /** The 8-byte length field alone, followed by {@code filler} zero bytes. */
    private static byte[] lengthOnly(long headerLength, int filler) {
        return ByteBuffer.allocate(8 + filler).order(ByteOrder.LITTLE_ENDIAN).putLong(headerLength).array();
    }

    /** {@link SafetensorsTest#raw} with the byte at {@code at} of the header replaced. */
    private static byte[] corrupt(String header, byte[] data, int at, byte value) {
        byte[] bytes = SafetensorsTest.raw(header, data);
        bytes[8 + at] = value;
        return bytes;
    }
}
