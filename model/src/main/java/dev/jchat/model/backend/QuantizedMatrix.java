package dev.jchat.model.backend;

/**
 * A weight matrix {@code [rows, cols]} ({@code [out_features, in_features]}) that a {@link Backend} holds in ggml's
 * Q8_0 format, for inference: {@link Backend#upload(dev.jchat.model.gguf.Q8Blocks)} makes one and
 * {@link Backend#matmul(Tensor, Tensor, QuantizedMatrix, int)} multiplies by it without dequantising it first. Like a
 * {@link Storage}, its memory belongs to the backend (a CPU backend keeps Java arrays, a GPU one would keep device
 * memory), so the engine never reaches into it.
 */
public interface QuantizedMatrix {

    int rows();

    int cols();
}
