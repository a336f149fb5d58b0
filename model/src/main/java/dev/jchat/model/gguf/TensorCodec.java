package dev.jchat.model.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Floats to and from the bytes of the ggml types that {@link GgmlType#convertsToFloat}, little-endian. */
final class TensorCodec {

    private static final ValueLayout.OfFloat F32_LE =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16_LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private TensorCodec() {}

    /**
     * Appends {@code count} values of {@code src} from {@code from} to {@code dst} (little-endian, with room for
     * them) as {@code type}; for Q8_0, {@code count} is a multiple of 32.
     */
    static void encode(GgmlType type, float[] src, int from, int count, ByteBuffer dst) {
        switch (type) {
            case F32 -> {
                for (int i = 0; i < count; i++) {
                    dst.putFloat(src[from + i]);
                }
            }
            case F16 -> {
                for (int i = 0; i < count; i++) {
                    dst.putShort(Float.floatToFloat16(src[from + i]));
                }
            }
            case BF16 -> {
                for (int i = 0; i < count; i++) {
                    dst.putShort(bf16(src[from + i]));
                }
            }
            case Q8_0 -> {
                byte[] block = new byte[Q8Blocks.BLOCK_BYTES];
                for (int b = 0; b < count; b += Q8Blocks.BLOCK) {
                    Q8Blocks.quantizeBlock(src, from + b, block, 0);
                    dst.put(block);
                }
            }
            default -> throw new IllegalArgumentException("cannot write floats as " + type);
        }
    }

    /** Reads {@code count} values of {@code type} at byte {@code at} of {@code src} into {@code dst[offset..]}. */
    static void decode(GgmlType type, MemorySegment src, long at, float[] dst, int offset, int count) {
        switch (type) {
            case F32 -> MemorySegment.copy(src, F32_LE, at, dst, offset, count);
            case F16 -> {
                for (int i = 0; i < count; i++) {
                    dst[offset + i] = Float.float16ToFloat(src.get(U16_LE, at + 2L * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < count; i++) {
                    dst[offset + i] = Float.intBitsToFloat(src.get(U16_LE, at + 2L * i) << 16);
                }
            }
            case Q8_0 -> {
                for (int b = 0; b < count; b += Q8Blocks.BLOCK) {
                    long block = at + (long) (b / Q8Blocks.BLOCK) * Q8Blocks.BLOCK_BYTES;
                    float scale = Float.float16ToFloat(src.get(U16_LE, block));
                    for (int j = 0; j < Q8Blocks.BLOCK; j++) {
                        dst[offset + b + j] = scale * src.get(ValueLayout.JAVA_BYTE, block + 2 + j);
                    }
                }
            }
            default -> throw new IllegalArgumentException("cannot read " + type + " as floats");
        }
    }

    /** Round to nearest even, as PyTorch and ggml convert; every NaN becomes the quiet NaN 0x7FC0. */
    private static short bf16(float f) {
        if (Float.isNaN(f)) {
            return 0x7FC0;
        }
        int bits = Float.floatToRawIntBits(f);
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }
}
