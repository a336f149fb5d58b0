package dev.jchat.model.io;

import java.util.Arrays;

/**
 * One tensor of a safetensors file as its header describes it.
 *
 * @param name  the tensor's key, e.g. {@code model.layers.0.self_attn.q_proj.weight}
 * @param dtype element type
 * @param shape dimensions, outermost first (row-major); empty for a scalar
 * @param begin first byte of the data, relative to the end of the header
 * @param end   one past the last byte
 */
public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {

    public TensorInfo {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements: the product of the shape (1 for a scalar). */
    public long elements() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape) + " @" + begin + ".." + end;
    }
}
