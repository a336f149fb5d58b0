package dev.jchat.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each parameter lives in the model's one parameter storage, under its HF {@code LlamaForCausalLM} name.
 * Tensors that the model multiplies together sit next to each other (q, k, v projections; gate and up
 * projections), so one fused matmul covers them; gradients and optimizer moments use the same layout.
 */
public final class ParameterLayout {

    /** One named tensor: {@code shape} as HF stores it ([out_features, in_features] for a linear layer). */
    public record Parameter(String name, long offset, int[] shape, Group group) {
        public long size() {
            long size = 1;
            for (int dim : shape) {
                size *= dim;
            }
            return size;
        }
    }

    /** Optimizer groups: weight decay and learning rate can differ per group. */
    public enum Group { EMBEDDING, MATRIX, NORM, HEAD }

    /** Offsets of one layer's tensors; the fused q/k/v and gate/up matrices start at q_proj and gate_proj. */
    public record Layer(long inputNorm, long qkv, long attnOut, long postNorm, long gateUp, long down) {}

    private final Map<String, Parameter> byName = new LinkedHashMap<>();
    private final List<Layer> layers = new ArrayList<>();
    private final long embedding;
    private final long finalNorm;
    private final long head;
    private long size;

    public ParameterLayout(ModelConfig config) {
        int c = config.dim();
        int hd = config.headDim();
        int layerCount = config.layers();
        long[] qkv = new long[layerCount];
        long[] attnOut = new long[layerCount];
        long[] gateUp = new long[layerCount];
        long[] down = new long[layerCount];
        long[] inputNorm = new long[layerCount];
        long[] postNorm = new long[layerCount];
        // each optimizer group contiguous (embedding, matrices, head, norms), so AdamW takes one call per group
        embedding = add("model.embed_tokens.weight", Group.EMBEDDING, config.vocab(), c);
        for (int l = 0; l < layerCount; l++) {
            String p = "model.layers." + l + ".";
            qkv[l] = add(p + "self_attn.q_proj.weight", Group.MATRIX, config.heads() * hd, c);
            add(p + "self_attn.k_proj.weight", Group.MATRIX, config.kvHeads() * hd, c);
            add(p + "self_attn.v_proj.weight", Group.MATRIX, config.kvHeads() * hd, c);
            attnOut[l] = add(p + "self_attn.o_proj.weight", Group.MATRIX, c, config.heads() * hd);
            gateUp[l] = add(p + "mlp.gate_proj.weight", Group.MATRIX, config.ffn(), c);
            add(p + "mlp.up_proj.weight", Group.MATRIX, config.ffn(), c);
            down[l] = add(p + "mlp.down_proj.weight", Group.MATRIX, c, config.ffn());
        }
        head = config.tiedEmbeddings() ? embedding : add("lm_head.weight", Group.HEAD, config.vocab(), c);
        for (int l = 0; l < layerCount; l++) {
            String p = "model.layers." + l + ".";
            inputNorm[l] = add(p + "input_layernorm.weight", Group.NORM, c);
            postNorm[l] = add(p + "post_attention_layernorm.weight", Group.NORM, c);
            layers.add(new Layer(inputNorm[l], qkv[l], attnOut[l], postNorm[l], gateUp[l], down[l]));
        }
        finalNorm = add("model.norm.weight", Group.NORM, c);
    }

    /** The contiguous run of storage that holds a group's tensors (empty when the model has none, e.g. a tied head). */
    public record Range(long offset, long size) {}

    public Range range(Group group) {
        long start = Long.MAX_VALUE;
        long end = 0;
        for (Parameter p : byName.values()) {
            if (p.group() == group) {
                start = Math.min(start, p.offset());
                end = Math.max(end, p.offset() + p.size());
            }
        }
        return start == Long.MAX_VALUE ? new Range(0, 0) : new Range(start, end - start);
    }

    private long add(String name, Group group, int... shape) {
        var parameter = new Parameter(name, size, shape, group);
        byName.put(name, parameter);
        size += parameter.size();
        return parameter.offset();
    }

    /** Total number of parameters (the storage size). */
    public long size() {
        return size;
    }

    /** Every tensor in storage order, under its HF name. */
    public List<Parameter> parameters() {
        return List.copyOf(byName.values());
    }

    public Parameter parameter(String name) {
        Parameter parameter = byName.get(name);
        if (parameter == null) {
            throw new IllegalArgumentException("no parameter named " + name);
        }
        return parameter;
    }

    public Layer layer(int index) {
        return layers.get(index);
    }

    public long embedding() {
        return embedding;
    }

    public long finalNorm() {
        return finalNorm;
    }

    /** The LM head's offset: the embedding's when the two are tied. */
    public long head() {
        return head;
    }
}
