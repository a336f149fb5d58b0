package dev.jchat.model.gguf;

/**
 * ggml's tensor element types, by the number a GGUF tensor entry stores, with the size of one block: quantised
 * types pack {@code blockSize} values into {@code blockBytes} bytes, and a row's length must be a multiple of the
 * block size. All the types llama.cpp writes are listed so that any of its files can be read and its layout
 * checked; {@link #convertsToFloat} tells which ones {@link GgufFile} converts and {@link GgufWriter} writes.
 */
public enum GgmlType {
    F32(0, 1, 4), F16(1, 1, 2), Q4_0(2, 32, 18), Q4_1(3, 32, 20), Q5_0(6, 32, 22), Q5_1(7, 32, 24),
    /** Blocks of 32: an F16 scale, then 32 signed bytes; value = scale · byte. */
    Q8_0(8, 32, 34),
    Q8_1(9, 32, 36), Q2_K(10, 256, 84), Q3_K(11, 256, 110), Q4_K(12, 256, 144), Q5_K(13, 256, 176),
    Q6_K(14, 256, 210), Q8_K(15, 256, 292), IQ2_XXS(16, 256, 66), IQ2_XS(17, 256, 74), IQ3_XXS(18, 256, 98),
    IQ1_S(19, 256, 50), IQ4_NL(20, 32, 18), IQ3_S(21, 256, 110), IQ2_S(22, 256, 82), IQ4_XS(23, 256, 136),
    I8(24, 1, 1), I16(25, 1, 2), I32(26, 1, 4), I64(27, 1, 8), F64(28, 1, 8), IQ1_M(29, 256, 56),
    BF16(30, 1, 2), TQ1_0(34, 256, 54), TQ2_0(35, 256, 66), MXFP4(39, 32, 17);

    private final int id;
    private final int blockSize;
    private final int blockBytes;

    GgmlType(int id, int blockSize, int blockBytes) {
        this.id = id;
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
    }

    /** The number GGUF stores for this type. */
    public int id() {
        return id;
    }

    /** Values per block (1 for plain types). */
    public int blockSize() {
        return blockSize;
    }

    /** The bytes of {@code elements} values, a multiple of {@link #blockSize}; -1 when that overflows. */
    public long bytes(long elements) {
        long blocks = elements / blockSize;
        return blocks > Long.MAX_VALUE / blockBytes ? -1 : blocks * blockBytes;
    }

    /** Whether {@link GgufFile} reads this type into floats and {@link GgufWriter} writes floats as it. */
    public boolean convertsToFloat() {
        return this == F32 || this == F16 || this == BF16 || this == Q8_0;
    }

    /** The type numbered {@code id}, or null when ggml has none by that number (or one this reader does not know). */
    public static GgmlType byId(long id) {
        for (GgmlType t : values()) {
            if (t.id == id) {
                return t;
            }
        }
        return null;
    }
}
