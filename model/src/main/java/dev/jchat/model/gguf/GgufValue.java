package dev.jchat.model.gguf;

import java.util.List;

/**
 * One metadata value of a GGUF file, with the GGUF type it is stored as (llama.cpp reads some keys only as one
 * type: a context length must be a {@code UINT32}, a RoPE base a {@code FLOAT32}). Arrays hold primitives or
 * strings; GGUF allows arrays of arrays, but llama.cpp does not read them and neither does {@link GgufFile}.
 * The array records compare by identity, as records with array components do.
 */
public sealed interface GgufValue {

    /**
     * GGUF's value types in GGUF's numbering (the ordinal is the number the file stores); {@code minBytes} is the
     * smallest encoding of one value.
     */
    enum Type {
        UINT8(1), INT8(1), UINT16(2), INT16(2), UINT32(4), INT32(4), FLOAT32(4), BOOL(1), STRING(8), ARRAY(12),
        UINT64(8), INT64(8), FLOAT64(8);

        private final int minBytes;

        Type(int minBytes) {
            this.minBytes = minBytes;
        }

        /** Bytes of one value: exact for numbers and booleans, the length prefix alone for a string. */
        int minBytes() {
            return minBytes;
        }

        boolean isInteger() {
            return this == UINT8 || this == INT8 || this == UINT16 || this == INT16 || this == UINT32 || this == INT32
                    || this == UINT64 || this == INT64;
        }

        boolean isReal() {
            return this == FLOAT32 || this == FLOAT64;
        }

        /** The type numbered {@code id}, or null. */
        static Type byId(int id) {
            Type[] all = values();
            return id >= 0 && id < all.length ? all[id] : null;
        }
    }

    /** An integer of one of the eight integer types; a {@code UINT64} above 2^63 − 1 reads as a negative long. */
    record Int(Type type, long value) implements GgufValue {
        public Int {
            require(type.isInteger(), type + " is not an integer type");
        }
    }

    /** A {@code FLOAT32} or {@code FLOAT64}. */
    record Real(Type type, double value) implements GgufValue {
        public Real {
            require(type.isReal(), type + " is not a floating-point type");
        }
    }

    record Bool(boolean value) implements GgufValue {
        @Override
        public Type type() {
            return Type.BOOL;
        }
    }

    record Text(String value) implements GgufValue {
        @Override
        public Type type() {
            return Type.STRING;
        }
    }

    /** An array of integers, all of {@code elementType}. */
    record Ints(Type elementType, long[] values) implements GgufValue {
        public Ints {
            require(elementType.isInteger(), elementType + " is not an integer type");
        }

        @Override
        public Type type() {
            return Type.ARRAY;
        }
    }

    /** An array of {@code FLOAT32} or {@code FLOAT64} values. */
    record Reals(Type elementType, double[] values) implements GgufValue {
        public Reals {
            require(elementType.isReal(), elementType + " is not a floating-point type");
        }

        @Override
        public Type type() {
            return Type.ARRAY;
        }
    }

    record Bools(boolean[] values) implements GgufValue {
        @Override
        public Type type() {
            return Type.ARRAY;
        }
    }

    record Texts(List<String> values) implements GgufValue {
        public Texts {
            values = List.copyOf(values);
        }

        @Override
        public Type type() {
            return Type.ARRAY;
        }
    }

    static Int uint32(long value) {
        require(value >= 0 && value <= 0xFFFF_FFFFL, value + " does not fit in a UINT32");
        return new Int(Type.UINT32, value);
    }

    static Real float32(double value) {
        return new Real(Type.FLOAT32, (float) value);
    }

    static Text string(String value) {
        return new Text(value);
    }

    static Bool bool(boolean value) {
        return new Bool(value);
    }

    static Texts strings(List<String> values) {
        return new Texts(values);
    }

    static Ints int32s(int[] values) {
        long[] wide = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            wide[i] = values[i];
        }
        return new Ints(Type.INT32, wide);
    }

    /** The type of this value as the file stores it ({@link Type#ARRAY} for the array records). */
    Type type();

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
