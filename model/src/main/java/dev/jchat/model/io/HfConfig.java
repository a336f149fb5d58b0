package dev.jchat.model.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jchat.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * HF's {@code config.json} for {@code LlamaForCausalLM}, to and from {@link ModelConfig}, and the tensor names
 * and shapes that such a checkpoint holds.
 *
 * <p>{@link #read} ignores fields it does not need (transformers writes dozens) and fills absent optional ones
 * with {@code LlamaConfig}'s defaults; it rejects, naming the file and the field, what our model cannot compute
 * as transformers would: another architecture, biases, an activation other than SiLU, RoPE scaling, or a
 * {@code head_dim} other than {@code hidden_size / num_attention_heads}. A BOS or EOS id of {@code null} reads
 * as -1 and -1 writes as {@code null}; of a list of EOS ids (Llama 3) the first is kept.
 */
public final class HfConfig {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Laid out as transformers writes it ({@code json.dumps(indent=2)}), so that diffs against its files are small. */
    private static final ObjectWriter WRITER = MAPPER.writer(new DefaultPrettyPrinter()
            .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER))
            .withArrayIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE));
    private static final String ARCHITECTURE = "LlamaForCausalLM";

    private HfConfig() {}

    /** Writes {@code config} as transformers would for weights stored as {@code weights}, atomically. */
    public static void write(Path file, ModelConfig config, DType weights) throws IOException {
        ObjectNode json = MAPPER.createObjectNode();
        json.putArray("architectures").add(ARCHITECTURE);
        json.put("model_type", "llama");
        json.put("hidden_act", "silu");
        json.put("hidden_size", config.dim());
        json.put("intermediate_size", config.ffn());
        json.put("num_hidden_layers", config.layers());
        json.put("num_attention_heads", config.heads());
        json.put("num_key_value_heads", config.kvHeads());
        json.put("head_dim", config.headDim());
        json.put("rms_norm_eps", config.normEps());
        json.put("rope_theta", config.ropeTheta());
        json.putNull("rope_scaling");
        json.put("max_position_embeddings", config.seqLen());
        json.put("vocab_size", config.vocab());
        json.put("tie_word_embeddings", config.tiedEmbeddings());
        json.put("attention_bias", false);
        json.put("mlp_bias", false);
        putTokenId(json, "bos_token_id", config.bosTokenId());
        putTokenId(json, "eos_token_id", config.eosTokenId());
        json.put("torch_dtype", weights.torchName());
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        try {
            Files.writeString(partial, WRITER.writeValueAsString(json) + "\n");
            Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    /** Reads a Llama {@code config.json}; an {@link IOException} naming the file and field when it cannot. */
    public static ModelConfig read(Path file) throws IOException {
        JsonNode json;
        try {
            json = MAPPER.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new IOException(file + ": not valid JSON: " + e.getOriginalMessage());
        }
        if (json == null || !json.isObject()) {
            throw new IOException(file + ": not a JSON object");
        }
        try {
            return parse(json);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage());
        }
    }

    /**
     * The tensors of a {@code LlamaForCausalLM} checkpoint for {@code config}, HF names to shapes, in the order
     * transformers lists its parameters (no {@code lm_head.weight} when the embeddings are tied).
     */
    public static Map<String, long[]> tensorShapes(ModelConfig config) {
        long d = config.dim();
        long q = (long) config.heads() * config.headDim();
        long kv = (long) config.kvHeads() * config.headDim();
        var shapes = new LinkedHashMap<String, long[]>();
        shapes.put("model.embed_tokens.weight", new long[] {config.vocab(), d});
        for (int i = 0; i < config.layers(); i++) {
            String p = "model.layers." + i + ".";
            shapes.put(p + "input_layernorm.weight", new long[] {d});
            shapes.put(p + "self_attn.q_proj.weight", new long[] {q, d});
            shapes.put(p + "self_attn.k_proj.weight", new long[] {kv, d});
            shapes.put(p + "self_attn.v_proj.weight", new long[] {kv, d});
            shapes.put(p + "self_attn.o_proj.weight", new long[] {d, q});
            shapes.put(p + "post_attention_layernorm.weight", new long[] {d});
            shapes.put(p + "mlp.gate_proj.weight", new long[] {config.ffn(), d});
            shapes.put(p + "mlp.up_proj.weight", new long[] {config.ffn(), d});
            shapes.put(p + "mlp.down_proj.weight", new long[] {d, config.ffn()});
        }
        shapes.put("model.norm.weight", new long[] {d});
        if (!config.tiedEmbeddings()) {
            shapes.put("lm_head.weight", new long[] {config.vocab(), d});
        }
        return shapes;
    }

    private static ModelConfig parse(JsonNode json) {
        JsonNode architectures = json.get("architectures");
        JsonNode modelType = json.get("model_type");
        if (modelType != null && !modelType.asText().equals("llama")) {
            throw new IllegalArgumentException("model_type is " + modelType + ", not \"llama\"");
        }
        if (architectures != null) {
            boolean llama = false;
            for (JsonNode a : architectures) {
                llama |= a.asText().equals(ARCHITECTURE);
            }
            if (!llama) {
                throw new IllegalArgumentException("architectures is " + architectures + ", not [\"" + ARCHITECTURE
                        + "\"]");
            }
        } else if (modelType == null) {
            throw new IllegalArgumentException("neither architectures nor model_type says this is a Llama model");
        }
        for (String bias : new String[] {"attention_bias", "mlp_bias"}) {
            if (json.path(bias).asBoolean(false)) {
                throw new IllegalArgumentException(bias + " is true; the model has no biases");
            }
        }
        String act = json.path("hidden_act").asText("silu");
        if (!act.equals("silu")) {
            throw new IllegalArgumentException("hidden_act is \"" + act + "\"; only silu (SwiGLU) is supported");
        }
        JsonNode scaling = json.path("rope_scaling");
        if (!scaling.isMissingNode() && !scaling.isNull()) {
            throw new IllegalArgumentException("rope_scaling " + scaling + " is not supported");
        }
        int dim = integer(json, "hidden_size", null);
        int heads = integer(json, "num_attention_heads", null);
        var config = new ModelConfig(
                integer(json, "num_hidden_layers", null),
                heads,
                integer(json, "num_key_value_heads", heads),
                dim,
                integer(json, "intermediate_size", null),
                integer(json, "vocab_size", null),
                integer(json, "max_position_embeddings", 2048),
                number(json, "rope_theta", 10_000.0),
                number(json, "rms_norm_eps", 1e-6),
                bool(json, "tie_word_embeddings", false),
                tokenId(json, "bos_token_id", 1),
                tokenId(json, "eos_token_id", 2));
        JsonNode headDim = json.path("head_dim");
        if (!headDim.isMissingNode() && !headDim.isNull() && integer(json, "head_dim", null) != config.headDim()) {
            throw new IllegalArgumentException("head_dim " + headDim + " differs from hidden_size / num_attention_heads"
                    + " = " + config.headDim() + "; not supported");
        }
        return config;
    }

    /** An integer field; {@code fallback} when absent or null, or an error when that is null too. */
    private static int integer(JsonNode json, String field, Integer fallback) {
        JsonNode v = json.path(field);
        if (v.isMissingNode() || v.isNull()) {
            if (fallback == null) {
                throw new IllegalArgumentException("required field " + field + " is missing");
            }
            return fallback;
        }
        return asInt(field, v);
    }

    private static int asInt(String field, JsonNode v) {
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new IllegalArgumentException(field + " is " + v + ", not an integer");
        }
        return v.intValue();
    }

    private static double number(JsonNode json, String field, double fallback) {
        JsonNode v = json.path(field);
        if (v.isMissingNode() || v.isNull()) {
            return fallback;
        }
        if (!v.isNumber()) {
            throw new IllegalArgumentException(field + " is " + v + ", not a number");
        }
        return v.doubleValue();
    }

    private static boolean bool(JsonNode json, String field, boolean fallback) {
        JsonNode v = json.path(field);
        if (v.isMissingNode() || v.isNull()) {
            return fallback;
        }
        if (!v.isBoolean()) {
            throw new IllegalArgumentException(field + " is " + v + ", not true or false");
        }
        return v.booleanValue();
    }

    private static int tokenId(JsonNode json, String field, int fallback) {
        JsonNode v = json.path(field);
        if (v.isMissingNode()) {
            return fallback;
        }
        if (v.isNull()) {
            return -1;
        }
        if (v.isArray()) {
            if (v.isEmpty()) {
                throw new IllegalArgumentException(field + " is an empty list");
            }
            return asInt(field, v.get(0));
        }
        return asInt(field, v);
    }

    private static void putTokenId(ObjectNode json, String field, int id) {
        if (id < 0) {
            json.putNull(field);
        } else {
            json.put(field, id);
        }
    }
}
