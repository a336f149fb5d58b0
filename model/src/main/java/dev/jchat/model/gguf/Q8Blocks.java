package dev.jchat.model.gguf;

import java.util.Arrays;

/**
 * A matrix of {@code rows × cols} values in ggml's Q8_0 format, byte for byte as a GGUF file stores it: each row is
 * {@code cols / 32} blocks of 34 bytes, an F16 scale (little-endian) then 32 signed bytes, value = scale · byte.
 * This is how Q8_0 weights travel between a GGUF file, the quantiser and a backend (which may keep them in another
 * arrangement, but must hand back these bytes).
 */
public record Q8Blocks(int rows, int cols, byte[] data) {
    /** Values per block. */
    public static final int BLOCK = 32;
    /** Bytes per block: the F16 scale and 32 quants. */
    public static final int BLOCK_BYTES = 34;

    public Q8Blocks {
        if (rows < 0 || cols < 0 || cols % BLOCK != 0) {
            throw new IllegalArgumentException("a Q8_0 matrix of " + rows + " × " + cols + ": the row length must be "
                    + "a non-negative multiple of " + BLOCK);
        }
        if (data.length != (long) rows * (cols / BLOCK) * BLOCK_BYTES) {
            throw new IllegalArgumentException("a Q8_0 matrix of " + rows + " × " + cols + " takes "
                    + (long) rows * (cols / BLOCK) * BLOCK_BYTES + " bytes, not " + data.length);
        }
    }

    /**
     * {@code src[offset ..]}, {@code rows × cols} floats row-major, quantised as ggml's reference quantiser does
     * ({@code quantize_row_q8_0_ref}, what llama.cpp's converter and quantize tool produce).
     */
    public static Q8Blocks quantize(float[] src, int offset, int rows, int cols) {
        if (cols % BLOCK != 0) {
            throw new IllegalArgumentException("cannot quantise rows of " + cols + " values to Q8_0 (blocks of 32)");
        }
        byte[] data = new byte[Math.toIntExact((long) rows * (cols / BLOCK) * BLOCK_BYTES)];
        for (int b = 0, blocks = rows * (cols / BLOCK); b < blocks; b++) {
            quantizeBlock(src, offset + b * BLOCK, data, b * BLOCK_BYTES);
        }
        return new Q8Blocks(rows, cols, data);
    }

    /**
     * One block of 32 values: scale = max|x| / 127 stored as F16, each value {@code roundf(x / scale)} with the float
     * scale (not the F16 one), so ties round away from zero; byte-identical to ggml.
     */
    static void quantizeBlock(float[] src, int from, byte[] dst, int at) {
        float amax = 0;
        for (int j = 0; j < BLOCK; j++) {
            amax = Math.max(amax, Math.abs(src[from + j]));
        }
        float d = amax / 127;
        float id = d != 0 ? 1 / d : 0;
        short half = Float.floatToFloat16(d);
        dst[at] = (byte) half;
        dst[at + 1] = (byte) (half >> 8);
        for (int j = 0; j < BLOCK; j++) {
            float v = src[from + j] * id;
            dst[at + 2 + j] = (byte) (v < 0 ? -Math.round(-v) : Math.round(v));
        }
    }

    /** The scale of block {@code block} of the whole matrix (row-major block order). */
    public float scale(int block) {
        int at = block * BLOCK_BYTES;
        return Float.float16ToFloat((short) ((data[at] & 0xFF) | (data[at + 1] << 8)));
    }

    /** Every value as float, row-major: scale · byte, as ggml dequantises. */
    public float[] dequantize() {
        float[] out = new float[Math.toIntExact((long) rows * cols)];
        for (int b = 0; b < out.length / BLOCK; b++) {
            float d = scale(b);
            for (int j = 0; j < BLOCK; j++) {
                out[b * BLOCK + j] = d * data[b * BLOCK_BYTES + 2 + j];
            }
        }
        return out;
    }

    /** The matrices stacked: their rows one after another (all of the same row length). */
    public static Q8Blocks concatRows(Q8Blocks... parts) {
        int rows = 0;
        for (Q8Blocks p : parts) {
            if (p.cols != parts[0].cols) {
                throw new IllegalArgumentException("cannot stack rows of " + p.cols + " and " + parts[0].cols);
            }
            rows += p.rows;
        }
        byte[] data = new byte[Math.toIntExact((long) rows * (parts[0].cols / BLOCK) * BLOCK_BYTES)];
        int at = 0;
        for (Q8Blocks p : parts) {
            System.arraycopy(p.data, 0, data, at, p.data.length);
            at += p.data.length;
        }
        return new Q8Blocks(rows, parts[0].cols, data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Q8Blocks b && rows == b.rows && cols == b.cols && Arrays.equals(data, b.data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * rows + cols) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Q8Blocks[" + rows + " × " + cols + "]";
    }
}
