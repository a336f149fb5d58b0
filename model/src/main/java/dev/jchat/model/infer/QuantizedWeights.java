package dev.jchat.model.infer;

import dev.jchat.model.LlamaModel;
import dev.jchat.model.ModelConfig;
import dev.jchat.model.ParameterLayout;
import dev.jchat.model.backend.Backend;
import dev.jchat.model.backend.QuantizedMatrix;
import dev.jchat.model.gguf.Q8Blocks;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A model's weight matrices in Q8_0 on its backend, for an {@link Engine} to multiply by instead of the float
 * parameters: the fused q/k/v, attention output, fused gate/up and down projections of every layer, and the LM head.
 * Norms and the embedding stay float (the embedding is a row lookup, not a product). A matrix whose rows do not split
 * into blocks of 32 stays float too, as llama.cpp's converter keeps it F16. Training never sees these: they are a
 * copy, made once when a model is loaded for inference.
 */
public final class QuantizedWeights {

    /** One layer's matrices; null where the matrix stays float. */
    record Layer(QuantizedMatrix qkv, QuantizedMatrix attnOut, QuantizedMatrix gateUp, QuantizedMatrix down) {}

    private final LlamaModel model;
    private final List<Layer> layers;
    private final QuantizedMatrix head;

    private QuantizedWeights(LlamaModel model, List<Layer> layers, QuantizedMatrix head) {
        this.model = model;
        this.layers = List.copyOf(layers);
        this.head = head;
    }

    /** The model's matrices quantised from its float parameters, with ggml's rounding (as {@code llama-quantize}). */
    public static QuantizedWeights quantize(LlamaModel model) {
        return of(model, Map.of());
    }

    /**
     * The model's matrices, taking each from {@code stored} (by HF name, HF row order, e.g. a Q8_0 GGUF's own
     * blocks from {@link dev.jchat.model.GgufCheckpoint#q8Blocks}) where it has it, and quantising the model's floats
     * otherwise. Throws when a stored matrix has another shape than the model's.
     */
    public static QuantizedWeights of(LlamaModel model, Map<String, Q8Blocks> stored) {
        ModelConfig c = model.config();
        var matrices = new Matrices(model, stored);
        var layers = new ArrayList<Layer>();
        for (int l = 0; l < c.layers(); l++) {
            String p = "model.layers." + l + ".";
            layers.add(new Layer(
                    matrices.get(p + "self_attn.q_proj.weight", p + "self_attn.k_proj.weight",
                            p + "self_attn.v_proj.weight"),
                    matrices.get(p + "self_attn.o_proj.weight"),
                    matrices.get(p + "mlp.gate_proj.weight", p + "mlp.up_proj.weight"),
                    matrices.get(p + "mlp.down_proj.weight")));
        }
        String head = c.tiedEmbeddings() ? "model.embed_tokens.weight" : "lm_head.weight";
        return new QuantizedWeights(model, layers, matrices.get(head));
    }

    /** The model these weights belong to. */
    LlamaModel model() {
        return model;
    }

    Layer layer(int index) {
        return layers.get(index);
    }

    /** The LM head; null when it stays float. */
    QuantizedMatrix head() {
        return head;
    }

    /** How many of the model's matrices (q, k, v, o, gate, up, down per layer; head) are quantised. */
    public int quantizedMatrices() {
        int n = head != null ? 1 : 0;
        for (Layer l : layers) {
            n += (l.qkv != null ? 3 : 0) + (l.attnOut != null ? 1 : 0) + (l.gateUp != null ? 2 : 0)
                    + (l.down != null ? 1 : 0);
        }
        return n;
    }

    /** Builds fused matrices from named parts, stored or quantised. */
    private record Matrices(LlamaModel model, Map<String, Q8Blocks> stored) {
        /** The parts stacked by rows, uploaded as one matrix (so fused projections stay one product); or null. */
        QuantizedMatrix get(String... names) {
            var parts = new Q8Blocks[names.length];
            for (int i = 0; i < names.length; i++) {
                ParameterLayout.Parameter p = model.layout().parameter(names[i]);
                int rows = p.shape()[0];
                int cols = p.shape()[1];
                if (cols % Q8Blocks.BLOCK != 0) {
                    return null;
                }
                Q8Blocks blocks = stored.get(names[i]);
                if (blocks == null) {
                    float[] values = new float[Math.toIntExact(p.size())];
                    model.backend().download(model.parameter(p), values, 0);
                    blocks = Q8Blocks.quantize(values, 0, rows, cols);
                } else if (blocks.rows() != rows || blocks.cols() != cols) {
                    throw new IllegalArgumentException(names[i] + " is stored as " + blocks.rows() + " × "
                            + blocks.cols() + ", the model has " + rows + " × " + cols);
                }
                parts[i] = blocks;
            }
            Backend backend = model.backend();
            return backend.upload(parts.length == 1 ? parts[0] : Q8Blocks.concatRows(parts));
        }
    }
}
