package dev.jchat.model.io;

/**
 * The element types a safetensors header may name, with their sizes in bytes. All of them are recognised so that
 * a file holding, say, an {@code I64} buffer next to its weights still validates; only the floating-point ones
 * convert to {@code float}.
 */
public enum DType {
    BOOL(1), U8(1), I8(1), F8_E5M2(1), F8_E4M3(1), I16(2), U16(2), F16(2), BF16(2), I32(4), U32(4), F32(4),
    F64(8), I64(8), U64(8);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }

    /** Whether {@link Safetensors} reads this type into, and writes it from, {@code float} values. */
    public boolean isFloat() {
        return this == F16 || this == BF16 || this == F32 || this == F64;
    }

    /** The name HF's {@code config.json} gives this type in {@code torch_dtype}. */
    public String torchName() {
        return switch (this) {
            case F16 -> "float16";
            case BF16 -> "bfloat16";
            case F32 -> "float32";
            case F64 -> "float64";
            default -> throw new IllegalArgumentException(this + " is not a weight type");
        };
    }
}
