package dev.jchat.model.gguf;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.model.HostileFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Broken and hostile GGUF files: every one fails with an {@link IOException} that names the file and the problem,
 * quickly and without large allocations (a count or length that claims gigabytes must not be believed).
 */
class GgufHostileTest {
    private static final int STRING = 8;
    private static final int ARRAY = 9;
    private static final int UINT32 = 4;

    @TempDir
    Path dir;

    /** Builds a GGUF byte by byte, so that any field can be wrong. */
    static final class Bytes {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Bytes u32(long v) {
            return put(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array());
        }

        Bytes u64(long v) {
            return put(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
        }

        Bytes str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            return u64(b.length).put(b);
        }

        Bytes put(byte... b) {
            out.writeBytes(b);
            return this;
        }

        Bytes zeros(int n) {
            return put(new byte[n]);
        }

        /** Zero bytes up to the next multiple of 32, where the tensor data starts. */
        Bytes align() {
            return zeros((32 - out.size() % 32) % 32);
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    /** The magic, version 3 and the two counts. */
    static Bytes header(long tensors, long kvs) {
        return new Bytes().put("GGUF".getBytes(StandardCharsets.US_ASCII)).u32(3).u64(tensors).u64(kvs);
    }

    /** A tensor entry: name, dimensions, type, offset. */
    static Bytes tensor(Bytes b, String name, int type, long offset, long... dims) {
        b.str(name).u32(dims.length);
        for (long d : dims) {
            b.u64(d);
        }
        return b.u32(type).u64(offset);
    }

    static Stream<Arguments> brokenFiles() {
        return Stream.of(
                Arguments.of("empty file", new byte[0], "too short"),
                Arguments.of("23 bytes", new byte[23], "too short"),
                Arguments.of("wrong magic", new Bytes().put("GGML".getBytes()).u32(3).u64(0).u64(0).bytes(),
                        "not a GGUF file"),
                Arguments.of("version 1", new Bytes().put("GGUF".getBytes()).u32(1).u64(0).u64(0).bytes(),
                        "version 1 is not supported"),
                Arguments.of("version 2^32 - 1", new Bytes().put("GGUF".getBytes()).u32(-1).u64(0).u64(0).bytes(),
                        "version 4294967295 is not supported"),
                Arguments.of("tensor count 2^64 - 1", header(-1, 0).bytes(), "tensor count 18446744073709551615 "
                        + "cannot fit"),
                Arguments.of("tensor count beyond the file", header(1_000_000, 0).zeros(100).bytes(), "cannot fit"),
                Arguments.of("metadata count beyond the file", header(0, 1L << 40).bytes(), "metadata count"),
                Arguments.of("key length past the end", header(0, 1).u64(1L << 50).zeros(20).bytes(),
                        "runs past the end"),
                Arguments.of("key length 2^64 - 1", header(0, 1).u64(-1).zeros(20).bytes(), "runs past the end"),
                Arguments.of("empty key", header(0, 1).str("").u32(UINT32).u32(1).bytes(), "is empty"),
                Arguments.of("invalid UTF-8 key", header(0, 1).u64(2).put((byte) 0xC3, (byte) 0x28).u32(UINT32)
                        .u32(1).bytes(), "not valid UTF-8"),
                Arguments.of("duplicate key", header(0, 2).str("a").u32(UINT32).u32(1).str("a").u32(UINT32).u32(2)
                        .bytes(), "metadata key a appears twice"),
                Arguments.of("unknown value type", header(0, 1).str("a").u32(13).u32(1).bytes(),
                        "unknown value type 13"),
                Arguments.of("value type 2^32 - 1", header(0, 1).str("a").u32(-1).u32(1).bytes(),
                        "unknown value type 4294967295"),
                Arguments.of("value cut short", header(0, 1).str("a").u32(11).u32(1).bytes(), "file ends inside"),
                Arguments.of("boolean byte 2", header(0, 1).str("a").u32(7).put((byte) 2).bytes(),
                        "boolean byte 2"),
                Arguments.of("string value past the end", header(0, 1).str("a").u32(STRING).u64(1000).put((byte) 'x')
                        .bytes(), "runs past the end"),
                Arguments.of("array of 2^60 u8", header(0, 1).str("a").u32(ARRAY).u32(0).u64(1L << 60).zeros(8).bytes(),
                        "array length 1152921504606846976 cannot fit"),
                Arguments.of("array of 2^40 strings", header(0, 1).str("a").u32(ARRAY).u32(STRING).u64(1L << 40)
                        .zeros(64).bytes(), "cannot fit"),
                Arguments.of("array of arrays", header(0, 1).str("a").u32(ARRAY).u32(ARRAY).u64(1).zeros(16).bytes(),
                        "array of arrays"),
                Arguments.of("array of unknown type", header(0, 1).str("a").u32(ARRAY).u32(99).u64(1).zeros(4)
                        .bytes(), "unknown value type 99"),
                Arguments.of("alignment not a power of two", header(0, 1).str("general.alignment").u32(UINT32).u32(48)
                        .bytes(), "power of two"),
                Arguments.of("alignment zero", header(0, 1).str("general.alignment").u32(UINT32).u32(0).bytes(),
                        "power of two"),
                Arguments.of("alignment a string", header(0, 1).str("general.alignment").u32(STRING).str("32")
                        .bytes(), "power of two"),
                Arguments.of("empty tensor name", tensor(header(1, 0), "", 0, 0, 1).align().zeros(32).bytes(),
                        "is empty or longer"),
                Arguments.of("tensor name of 64 bytes", tensor(header(1, 0), "x".repeat(64), 0, 0, 1).align()
                        .zeros(32).bytes(), "longer than 63 bytes"),
                Arguments.of("zero dimensions", tensor(header(1, 0), "t", 0, 0).align().zeros(32).bytes(),
                        "0 dimensions"),
                Arguments.of("five dimensions", tensor(header(1, 0), "t", 0, 0, 1, 1, 1, 1, 1).align().zeros(32)
                        .bytes(), "5 dimensions"),
                Arguments.of("dimension count 2^32 - 1", header(1, 0).str("t").u32(-1).zeros(64).bytes(),
                        "4294967295 dimensions"),
                Arguments.of("negative dimension", tensor(header(1, 0), "t", 0, 0, -1).align().zeros(32).bytes(),
                        "impossibly large"),
                Arguments.of("product overflows", tensor(header(1, 0), "t", 0, 0, 1L << 32, 1L << 32).align()
                        .zeros(32).bytes(), "impossibly large"),
                Arguments.of("bytes overflow", tensor(header(1, 0), "t", 0, 0, 1L << 62).align().zeros(32).bytes(),
                        "impossibly large"),
                Arguments.of("huge honest tensor", tensor(header(1, 0), "t", 0, 0, 1L << 40).align().zeros(32)
                        .bytes(), "runs past the end"),
                Arguments.of("unknown ggml type", tensor(header(1, 0), "t", 4, 0, 32).align().zeros(32).bytes(),
                        "unknown ggml type 4"),
                Arguments.of("ggml type 2^32 - 1", tensor(header(1, 0), "t", -1, 0, 32).align().zeros(32).bytes(),
                        "unknown ggml type 4294967295"),
                Arguments.of("rows not whole blocks", tensor(header(1, 0), "t", 8, 0, 16, 2).align().zeros(64).bytes(),
                        "do not split into Q8_0 blocks of 32"),
                Arguments.of("offset not the expected one", tensor(header(1, 0), "t", 0, 32, 4).align().zeros(64)
                        .bytes(), "has data offset 32, expected 0"),
                Arguments.of("offset 2^64 - 1", tensor(header(1, 0), "t", 0, -1, 4).align().zeros(64).bytes(),
                        "has data offset 18446744073709551615"),
                Arguments.of("overlapping tensors", tensor(tensor(header(2, 0), "a", 0, 0, 16), "b", 0, 16, 4)
                        .align().zeros(128).bytes(), "tensor b has data offset 16, expected 64"),
                Arguments.of("duplicate tensor", tensor(tensor(header(2, 0), "a", 0, 0, 8), "a", 0, 32, 8)
                        .align().zeros(64).bytes(), "tensor a appears twice"),
                Arguments.of("data cut short", tensor(header(1, 0), "t", 0, 0, 8).align().zeros(31).bytes(),
                        "runs past the end"),
                Arguments.of("no data section", tensor(header(1, 0), "t", 0, 0, 8).bytes(), "truncated"),
                Arguments.of("missing tensor entry", header(1, 0).bytes(), "tensor count 1 cannot fit"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenFiles")
    void brokenFileFailsNamingTheFileAndTheProblem(String what, byte[] content, String problem) throws IOException {
        Path file = dir.resolve("broken.gguf");
        Files.write(file, content);
        var e = assertThrows(IOException.class, () -> openAndReadAll(file), what);
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(problem), what + ": " + e.getMessage());
    }

    @Test
    void theHandBuiltLayoutIsValidWhenNothingIsWrong() throws IOException {
        Path file = dir.resolve("fine.gguf");
        Files.write(file, tensor(tensor(header(2, 1).str("a").u32(UINT32).u32(7), "x", 0, 0, 8), "y", 8, 32, 32, 2)
                .align().zeros(32 + 68 + 28).bytes());
        openAndReadAll(file);
    }

    @Test
    void everyTruncationOfAValidFileFails() throws IOException {
        HostileFiles.everyTruncationFails(dir.resolve("cut.gguf"), validFile(), GgufHostileTest::openAndReadAll);
    }

    @Test
    void randomByteFlipsFailCleanlyOrReadFine() throws IOException {
        byte[] valid = validFile();
        // the data: F32 4×16, F16 64, Q8_0 2 blocks padded to 96 bytes, BF16 32
        int headerEnd = valid.length - (256 + 128 + 96 + 64);
        Path file = dir.resolve("flipped.gguf");
        HostileFiles.randomFlipsFailCleanly(file, valid, 1500, headerEnd, GgufHostileTest::openAndReadAll);
    }

    /** A small file with every value type and every float tensor type, so that flips land in each kind of field. */
    private byte[] validFile() throws IOException {
        float[] values = GgufTest.ramp(64);
        Path file = dir.resolve("valid.gguf");
        var meta = new LinkedHashMap<>(GgufTest.everyValueType());
        GgufWriter.write(file, meta, List.of(
                new GgufWriter.Tensor("w", GgmlType.F32, new long[] {16, 4}, values, 0),
                new GgufWriter.Tensor("h", GgmlType.F16, new long[] {8, 2, 2, 2}, values, 0),
                new GgufWriter.Tensor("q", GgmlType.Q8_0, new long[] {32, 2}, values, 0),
                new GgufWriter.Tensor("b", GgmlType.BF16, new long[] {32}, values, 32)));
        return Files.readAllBytes(file);
    }

    private static void openAndReadAll(Path file) throws IOException {
        try (var gguf = GgufFile.open(file)) {
            for (var info : gguf.tensors()) {
                if (info.type().convertsToFloat()) {
                    gguf.floats(info.name());
                }
            }
        }
    }
}
