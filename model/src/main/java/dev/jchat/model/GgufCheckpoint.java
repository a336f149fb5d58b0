package dev.jchat.model;

import dev.jchat.model.backend.Backend;
import dev.jchat.model.gguf.GgmlType;
import dev.jchat.model.gguf.GgufFile;
import dev.jchat.model.gguf.GgufValue;
import dev.jchat.model.gguf.GgufWriter;
import dev.jchat.model.gguf.Q8Blocks;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model as a llama.cpp GGUF file of architecture {@code llama}: the hyper-parameters under {@code llama.*}, the
 * tensors under llama.cpp's names with their dimensions innermost first, and the query and key projections'
 * rows permuted per head. That permutation is the one trap: HF's RoPE rotates dimension {@code i} with
 * {@code i + hd/2}, llama.cpp's ({@code LLAMA_ROPE_TYPE_NORM}) rotates {@code 2i} with {@code 2i + 1}, so
 * llama.cpp's converter reorders each head's rows {@code [0, hd/2, 1, hd/2 + 1, ...]}; without it the logits
 * are off by about 0.5.
 *
 * <p>Norm weights stay F32 whatever the type, as llama.cpp's converter keeps them; a matrix whose rows do not
 * split into Q8_0 blocks of 32 is written F16, as the converter does.
 */
public final class GgufCheckpoint {

    private static final String ARCH = "llama";

    private GgufCheckpoint() {}

    /**
     * Writes {@code model} to {@code file} with its matrices as {@code type}; {@code extra} (tokenizer, chat
     * template, name...) follows the architecture keys and the model's BOS and EOS ids. llama.cpp needs the
     * {@code tokenizer.ggml.*} keys to load a model; when they are given, the token list must have one entry per
     * vocabulary id.
     */
    public static void save(Path file, LlamaModel model, GgmlType type, Map<String, GgufValue> extra)
            throws IOException {
        if (!type.convertsToFloat()) {
            throw new IllegalArgumentException("cannot export as " + type + " (F32, F16, BF16 or Q8_0)");
        }
        ModelConfig c = model.config();
        if (extra.get("tokenizer.ggml.tokens") instanceof GgufValue.Texts tokens
                && tokens.values().size() != c.vocab()) {
            throw new IllegalArgumentException("the tokenizer has " + tokens.values().size() + " tokens, the model "
                    + c.vocab() + " embeddings");
        }
        float[] values = new float[Math.toIntExact(model.layout().size())];
        model.backend().download(model.parameters(), values, 0);
        var tensors = new ArrayList<GgufWriter.Tensor>();
        for (ParameterLayout.Parameter p : model.layout().parameters()) {
            long[] dims = ggufDims(p);
            float[] data = values;
            int offset = Math.toIntExact(p.offset());
            int heads = ropeHeads(p.name(), c);
            if (heads > 0) {
                data = new float[Math.toIntExact(p.size())];
                permute(values, offset, data, 0, heads, c.headDim(), c.dim(), false);
                offset = 0;
            }
            GgmlType stored = dims.length == 1 ? GgmlType.F32
                    : dims[0] % type.blockSize() != 0 ? GgmlType.F16 : type;
            tensors.add(new GgufWriter.Tensor(ggufName(p.name()), stored, dims, data, offset));
        }
        var metadata = new LinkedHashMap<String, GgufValue>();
        metadata.put("general.architecture", GgufValue.string(ARCH));
        metadata.put("general.file_type", GgufValue.uint32(fileType(type)));
        if (type == GgmlType.Q8_0) {
            metadata.put("general.quantization_version", GgufValue.uint32(2));
        }
        metadata.put(ARCH + ".context_length", GgufValue.uint32(c.seqLen()));
        metadata.put(ARCH + ".embedding_length", GgufValue.uint32(c.dim()));
        metadata.put(ARCH + ".block_count", GgufValue.uint32(c.layers()));
        metadata.put(ARCH + ".feed_forward_length", GgufValue.uint32(c.ffn()));
        metadata.put(ARCH + ".attention.head_count", GgufValue.uint32(c.heads()));
        metadata.put(ARCH + ".attention.head_count_kv", GgufValue.uint32(c.kvHeads()));
        metadata.put(ARCH + ".rope.freq_base", GgufValue.float32(c.ropeTheta()));
        metadata.put(ARCH + ".attention.layer_norm_rms_epsilon", GgufValue.float32(c.normEps()));
        metadata.put(ARCH + ".rope.dimension_count", GgufValue.uint32(c.headDim()));
        metadata.put(ARCH + ".vocab_size", GgufValue.uint32(c.vocab()));
        if (c.bosTokenId() >= 0) {
            metadata.put("tokenizer.ggml.bos_token_id", GgufValue.uint32(c.bosTokenId()));
        }
        if (c.eosTokenId() >= 0) {
            metadata.put("tokenizer.ggml.eos_token_id", GgufValue.uint32(c.eosTokenId()));
        }
        for (var e : extra.entrySet()) {
            if (metadata.putIfAbsent(e.getKey(), e.getValue()) != null) {
                throw new IllegalArgumentException("metadata key " + e.getKey() + " is written by the export itself");
            }
        }
        GgufWriter.write(file, metadata, tensors);
    }

    /** Loads a GGUF {@code llama} model onto {@code backend}, dequantising F16, BF16 and Q8_0 weights to floats. */
    public static LlamaModel load(Path file, Backend backend) throws IOException {
        try (GgufFile gguf = GgufFile.open(file)) {
            ModelConfig config = readConfig(gguf);
            // every tensor checked before anything is allocated: the file's sizes bound what the model takes
            var layout = new ParameterLayout(config);
            for (ParameterLayout.Parameter p : layout.parameters()) {
                GgufFile.TensorInfo info = gguf.tensor(ggufName(p.name()));
                if (!Arrays.equals(info.dims(), ggufDims(p))) {
                    throw new IOException(file + ": tensor " + info.name() + " has dimensions "
                            + Arrays.toString(info.dims()) + ", but the metadata implies "
                            + Arrays.toString(ggufDims(p)));
                }
            }
            float[] values = new float[Math.toIntExact(layout.size())];
            for (ParameterLayout.Parameter p : layout.parameters()) {
                String name = ggufName(p.name());
                int offset = Math.toIntExact(p.offset());
                int heads = ropeHeads(p.name(), config);
                if (heads > 0) {
                    permute(gguf.floats(name), 0, values, offset, heads, config.headDim(), config.dim(), true);
                } else {
                    gguf.floats(name, values, offset);
                }
            }
            var model = new LlamaModel(config, backend);
            backend.upload(model.parameters(), values, 0);
            return model;
        }
    }

    /**
     * The matrices that {@code file} stores as Q8_0, by HF name, with their blocks exactly as stored (rows back in HF
     * order for the query and key projections): what an inference engine multiplies by, so that a Q8_0 file runs on
     * its own values rather than on floats quantised again. Matrices of other types are absent.
     */
    public static Map<String, Q8Blocks> q8Blocks(Path file) throws IOException {
        try (GgufFile gguf = GgufFile.open(file)) {
            ModelConfig config = readConfig(gguf);
            var blocks = new LinkedHashMap<String, Q8Blocks>();
            for (ParameterLayout.Parameter p : new ParameterLayout(config).parameters()) {
                String name = ggufName(p.name());
                if (p.shape().length != 2 || gguf.tensor(name).type() != GgmlType.Q8_0) {
                    continue;
                }
                if (!Arrays.equals(gguf.tensor(name).dims(), ggufDims(p))) {
                    throw new IOException(file + ": tensor " + name + " has dimensions "
                            + Arrays.toString(gguf.tensor(name).dims()) + ", but the metadata implies "
                            + Arrays.toString(ggufDims(p)));
                }
                Q8Blocks stored = gguf.q8Blocks(name);
                int heads = ropeHeads(p.name(), config);
                if (heads > 0) {
                    byte[] hf = new byte[stored.data().length];
                    int rowBytes = stored.cols() / Q8Blocks.BLOCK * Q8Blocks.BLOCK_BYTES;
                    permuteRows(stored.data(), 0, hf, 0, heads, config.headDim(), rowBytes, true);
                    stored = new Q8Blocks(stored.rows(), stored.cols(), hf);
                }
                blocks.put(p.name(), stored);
            }
            return blocks;
        }
    }

    /**
     * The model shape a GGUF file describes; an {@link IOException} naming the file and key for another
     * architecture or a feature the model does not compute (RoPE scaling or frequency factors, experts, a head
     * size other than width / heads).
     */
    public static ModelConfig readConfig(GgufFile gguf) throws IOException {
        Path file = gguf.file();
        String arch = gguf.string("general.architecture");
        if (!arch.equals(ARCH)) {
            throw new IOException(file + ": architecture is " + arch + ", not " + ARCH);
        }
        Map<String, GgufValue> meta = gguf.metadata();
        if (meta.get(ARCH + ".expert_count") instanceof GgufValue.Int experts && experts.value() > 0) {
            throw new IOException(file + ": a mixture of " + experts.value() + " experts is not supported");
        }
        if (meta.get(ARCH + ".rope.scaling.type") instanceof GgufValue.Text scaling
                && !scaling.value().equals("none")) {
            throw new IOException(file + ": RoPE scaling " + scaling.value() + " is not supported");
        }
        if (gguf.contains("rope_freqs.weight")) {
            throw new IOException(file + ": per-dimension RoPE frequencies (rope_freqs.weight, Llama 3.1's scaling) "
                    + "are not supported");
        }
        int dim = u32(gguf, ARCH + ".embedding_length");
        int heads = u32(gguf, ARCH + ".attention.head_count");
        int kvHeads = meta.containsKey(ARCH + ".attention.head_count_kv")
                ? u32(gguf, ARCH + ".attention.head_count_kv") : heads;
        int vocab = meta.containsKey(ARCH + ".vocab_size") ? u32(gguf, ARCH + ".vocab_size")
                : meta.get("tokenizer.ggml.tokens") instanceof GgufValue.Texts tokens ? tokens.values().size()
                : Math.toIntExact(gguf.tensor("token_embd.weight").dims()[1]);
        ModelConfig config;
        try {
            config = new ModelConfig(u32(gguf, ARCH + ".block_count"), heads, kvHeads, dim,
                    u32(gguf, ARCH + ".feed_forward_length"), vocab, u32(gguf, ARCH + ".context_length"),
                    meta.containsKey(ARCH + ".rope.freq_base") ? decimal(gguf.real(ARCH + ".rope.freq_base"))
                            : 10_000,
                    decimal(gguf.real(ARCH + ".attention.layer_norm_rms_epsilon")), !gguf.contains("output.weight"),
                    tokenId(gguf, "tokenizer.ggml.bos_token_id"), tokenId(gguf, "tokenizer.ggml.eos_token_id"));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage());
        }
        for (String key : new String[] {".rope.dimension_count", ".attention.key_length", ".attention.value_length"}) {
            if (meta.containsKey(ARCH + key) && u32(gguf, ARCH + key) != config.headDim()) {
                throw new IOException(file + ": " + ARCH + key + " is " + gguf.integer(ARCH + key)
                        + ", but embedding_length / head_count is " + config.headDim() + "; not supported");
            }
        }
        return config;
    }

    /** llama.cpp's name for an HF Llama tensor. */
    static String ggufName(String hfName) {
        return switch (hfName) {
            case "model.embed_tokens.weight" -> "token_embd.weight";
            case "model.norm.weight" -> "output_norm.weight";
            case "lm_head.weight" -> "output.weight";
            default -> {
                String rest = hfName.substring("model.layers.".length());
                int dot = rest.indexOf('.');
                String layer = rest.substring(0, dot);
                String part = switch (rest.substring(dot + 1)) {
                    case "self_attn.q_proj.weight" -> "attn_q";
                    case "self_attn.k_proj.weight" -> "attn_k";
                    case "self_attn.v_proj.weight" -> "attn_v";
                    case "self_attn.o_proj.weight" -> "attn_output";
                    case "mlp.gate_proj.weight" -> "ffn_gate";
                    case "mlp.up_proj.weight" -> "ffn_up";
                    case "mlp.down_proj.weight" -> "ffn_down";
                    case "input_layernorm.weight" -> "attn_norm";
                    case "post_attention_layernorm.weight" -> "ffn_norm";
                    default -> throw new IllegalArgumentException("no GGUF name for " + hfName);
                };
                yield "blk." + layer + "." + part + ".weight";
            }
        };
    }

    /** HF's shape reversed: GGUF lists dimensions innermost first. */
    private static long[] ggufDims(ParameterLayout.Parameter p) {
        int[] shape = p.shape();
        long[] dims = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            dims[i] = shape[shape.length - 1 - i];
        }
        return dims;
    }

    /** The number of heads whose rows the export permutes for RoPE: query heads for q, key heads for k, else 0. */
    private static int ropeHeads(String hfName, ModelConfig c) {
        return hfName.endsWith("self_attn.q_proj.weight") ? c.heads()
                : hfName.endsWith("self_attn.k_proj.weight") ? c.kvHeads() : 0;
    }

    /**
     * HF's row order to llama.cpp's, per head of {@code hd} rows of {@code cols} values: llama.cpp's row
     * {@code 2i + j} is HF's row {@code i + j·hd/2} (j = 0, 1); {@code inverse} goes back.
     */
    static void permute(float[] src, int srcOffset, float[] dst, int dstOffset, int heads, int hd, int cols,
                        boolean inverse) {
        permuteRows(src, srcOffset, dst, dstOffset, heads, hd, cols, inverse);
    }

    /**
     * {@link #permute} on rows of any array type ({@code rowLength} elements a row): the same reordering moves whole
     * rows of Q8_0 blocks, since a block never spans two rows.
     */
    private static void permuteRows(Object src, int srcOffset, Object dst, int dstOffset, int heads, int hd,
                                    int rowLength, boolean inverse) {
        int half = hd / 2;
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < half; i++) {
                for (int j = 0; j < 2; j++) {
                    int hfRow = h * hd + i + j * half;
                    int ggufRow = h * hd + 2 * i + j;
                    int from = inverse ? ggufRow : hfRow;
                    int to = inverse ? hfRow : ggufRow;
                    System.arraycopy(src, srcOffset + from * rowLength, dst, dstOffset + to * rowLength, rowLength);
                }
            }
        }
    }

    /** llama.cpp's file types: all F32, mostly F16, mostly Q8_0, mostly BF16. */
    private static int fileType(GgmlType type) {
        return switch (type) {
            case F32 -> 0;
            case F16 -> 1;
            case Q8_0 -> 7;
            case BF16 -> 32;
            default -> throw new AssertionError(type);
        };
    }

    /**
     * The shortest decimal that rounds to {@code value} as a float: GGUF stores these as FLOAT32, and the
     * configured decimal (1e-5, not 9.99999975e-6) is what the model and its HF config mean.
     */
    private static double decimal(double value) {
        return Double.parseDouble(Float.toString((float) value));
    }

    private static int u32(GgufFile gguf, String key) throws IOException {
        long v = gguf.integer(key);
        if (v < 1 || v > Integer.MAX_VALUE) {
            throw new IOException(gguf.file() + ": " + key + " is " + v + ", not a positive int");
        }
        return (int) v;
    }

    private static int tokenId(GgufFile gguf, String key) throws IOException {
        if (!gguf.metadata().containsKey(key)) {
            return -1;
        }
        long v = gguf.integer(key);
        return v >= 0 && v <= Integer.MAX_VALUE ? (int) v : -1;
    }
}
