package dev.jchat.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jchat.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class HfConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Llama 3.2 1B's config.json less its rope_scaling, as transformers 4.45 wrote it. */
    private static final String LLAMA_32_1B = """
            {
              "architectures": ["LlamaForCausalLM"], "attention_bias": false, "attention_dropout": 0.0,
              "bos_token_id": 128000, "eos_token_id": [128001, 128008, 128009], "head_dim": 64,
              "hidden_act": "silu", "hidden_size": 2048, "initializer_range": 0.02, "intermediate_size": 8192,
              "max_position_embeddings": 131072, "mlp_bias": false, "model_type": "llama",
              "num_attention_heads": 32, "num_hidden_layers": 16, "num_key_value_heads": 8, "pretraining_tp": 1,
              "rms_norm_eps": 1e-05, "rope_theta": 500000.0, "tie_word_embeddings": true,
              "torch_dtype": "bfloat16", "transformers_version": "4.45.0.dev0", "use_cache": true,
              "vocab_size": 128256
            }""";

    @TempDir
    Path dir;

    @Test
    void writesEveryFieldTransformersNeeds() throws IOException {
        Path file = dir.resolve("config.json");
        HfConfig.write(file, ModelConfig.benchT(), DType.BF16);
        JsonNode json = JSON.readTree(file.toFile());
        assertEquals("[\"LlamaForCausalLM\"]", json.get("architectures").toString());
        assertEquals("llama", json.get("model_type").asText());
        assertEquals("silu", json.get("hidden_act").asText());
        assertEquals("bfloat16", json.get("torch_dtype").asText());
        var expected = Map.of("hidden_size", 256, "intermediate_size", 688, "num_hidden_layers", 4,
                "num_attention_heads", 4, "num_key_value_heads", 4, "head_dim", 64, "vocab_size", 8192,
                "max_position_embeddings", 256, "bos_token_id", 0, "eos_token_id", 0);
        expected.forEach((field, value) -> assertEquals(value, json.get(field).intValue(), field));
        assertEquals(1e-5, json.get("rms_norm_eps").doubleValue());
        assertEquals(10_000.0, json.get("rope_theta").doubleValue());
        assertFalse(json.get("tie_word_embeddings").booleanValue());
        assertFalse(json.get("attention_bias").booleanValue());
        assertFalse(json.get("mlp_bias").booleanValue());
        assertTrue(json.get("rope_scaling").isNull());
        try (var listing = Files.list(dir)) {
            assertEquals(List.of(file), listing.toList(), "no partial file left behind");
        }
    }

    @Property(tries = 200)
    void roundTrips(@ForAll @IntRange(min = 1, max = 48) int layers, @ForAll @IntRange(min = 1, max = 8) int kvHeads,
                    @ForAll @IntRange(min = 1, max = 4) int group, @ForAll @IntRange(min = 1, max = 64) int halfHead,
                    @ForAll @IntRange(min = 1, max = 100_000) int ffn, @ForAll @IntRange(min = 1) int vocab,
                    @ForAll boolean tied, @ForAll @IntRange(min = -1, max = 200_000) int bos) throws IOException {
        int heads = kvHeads * group;
        var config = new ModelConfig(layers, heads, kvHeads, heads * 2 * halfHead, ffn, vocab, 1 + vocab % 9000,
                1 + ffn * 7.25, 1.0 / (1.0 + vocab), tied, bos, vocab % 3 == 0 ? -1 : vocab - 1);
        // jqwik does not inject JUnit's @TempDir
        Path file = Files.createTempFile("config", ".json");
        try {
            HfConfig.write(file, config, DType.F32);
            assertEquals(config, HfConfig.read(file));
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void readsTheGoldenConfigWrittenByTheReference() throws IOException {
        Path file = SafetensorsTest.resource("/golden/tiny/config.json");
        assertEquals(new ModelConfig(2, 4, 2, 48, 88, 97, 64, 10_000, 1e-5, false, 1, 2), HfConfig.read(file));
    }

    @Test
    void readsARealConfigIgnoringUnknownFieldsAndKeepingTheFirstEos() throws IOException {
        assertEquals(new ModelConfig(16, 32, 8, 2048, 8192, 128256, 131072, 500_000, 1e-5, true, 128000, 128001),
                read(LLAMA_32_1B));
    }

    @Test
    void fillsAbsentOptionalFieldsWithLlamaConfigDefaults() throws IOException {
        var minimal = "{\"model_type\":\"llama\",\"hidden_size\":64,\"intermediate_size\":100,\"num_hidden_layers\":3,"
                + "\"num_attention_heads\":4,\"vocab_size\":300,\"bos_token_id\":null}";
        assertEquals(new ModelConfig(3, 4, 4, 64, 100, 300, 2048, 10_000, 1e-6, false, -1, 2), read(minimal));
    }

    enum Broken {
        MISSING_HIDDEN_SIZE(j -> j.remove("hidden_size"), "required field hidden_size is missing"),
        MISTRAL(j -> j.putArray("architectures").add("MistralForCausalLM"), "not [\"LlamaForCausalLM\"]"),
        QWEN_TYPE(j -> j.put("model_type", "qwen2"), "model_type is \"qwen2\""),
        NO_ARCHITECTURE(j -> {
            j.remove("architectures");
            j.remove("model_type");
        }, "neither architectures nor model_type"),
        ATTENTION_BIAS(j -> j.put("attention_bias", true), "attention_bias is true"),
        GELU(j -> j.put("hidden_act", "gelu"), "hidden_act is \"gelu\""),
        ROPE_SCALING(j -> j.putObject("rope_scaling").put("rope_type", "llama3"), "rope_scaling"),
        HEAD_DIM(j -> j.put("head_dim", 128), "head_dim 128 differs"),
        LAYERS_TEXT(j -> j.put("num_hidden_layers", "16"), "num_hidden_layers is \"16\", not an integer"),
        LAYERS_FRACTION(j -> j.put("num_hidden_layers", 16.5), "not an integer"),
        HUGE_VOCAB(j -> j.put("vocab_size", 1L << 40), "vocab_size is 1099511627776, not an integer"),
        TIE_TEXT(j -> j.put("tie_word_embeddings", "yes"), "not true or false"),
        EPS_TEXT(j -> j.put("rms_norm_eps", "small"), "not a number"),
        EMPTY_EOS(j -> j.putArray("eos_token_id"), "eos_token_id is an empty list"),
        BAD_HEADS(j -> j.put("num_key_value_heads", 5), "multiple of kv-heads");

        final Consumer<ObjectNode> edit;
        final String message;

        Broken(Consumer<ObjectNode> edit, String message) {
            this.edit = edit;
            this.message = message;
        }
    }

    @ParameterizedTest
    @EnumSource(Broken.class)
    void rejectsWhatTheModelCannotComputeNamingFileAndField(Broken broken) throws IOException {
        var json = (ObjectNode) JSON.readTree(LLAMA_32_1B);
        json.remove("rope_scaling");
        broken.edit.accept(json);
        Path file = dir.resolve("config.json");
        Files.writeString(file, json.toString());
        var e = assertThrows(IOException.class, () -> HfConfig.read(file));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(broken.message), e.getMessage());
    }

    @Test
    void rejectsFilesThatAreNotJsonObjects() throws IOException {
        for (String text : List.of("", "[1]", "{\"hidden_size\":", "null")) {
            Path file = dir.resolve("config.json");
            Files.writeString(file, text);
            var e = assertThrows(IOException.class, () -> HfConfig.read(file), text);
            assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        }
    }

    @Test
    void tensorShapesFollowTheHfLlamaLayout() {
        var config = new ModelConfig(2, 4, 2, 48, 88, 97, 64, 10_000, 1e-5, false, 1, 2);
        Map<String, long[]> shapes = HfConfig.tensorShapes(config);
        assertEquals(1 + 2 * 9 + 2, shapes.size());
        assertArrayEquals(new long[] {97, 48}, shapes.get("model.embed_tokens.weight"));
        assertArrayEquals(new long[] {48, 48}, shapes.get("model.layers.1.self_attn.q_proj.weight"));
        assertArrayEquals(new long[] {24, 48}, shapes.get("model.layers.1.self_attn.k_proj.weight"));
        assertArrayEquals(new long[] {24, 48}, shapes.get("model.layers.1.self_attn.v_proj.weight"));
        assertArrayEquals(new long[] {48, 48}, shapes.get("model.layers.1.self_attn.o_proj.weight"));
        assertArrayEquals(new long[] {88, 48}, shapes.get("model.layers.0.mlp.gate_proj.weight"));
        assertArrayEquals(new long[] {48, 88}, shapes.get("model.layers.0.mlp.down_proj.weight"));
        assertArrayEquals(new long[] {97, 48}, shapes.get("lm_head.weight"));
        long total = shapes.values().stream().mapToLong(s -> s.length == 1 ? s[0] : s[0] * s[1]).sum();
        assertEquals(config.parameters(), total);
        var tied = new ModelConfig(2, 4, 2, 48, 88, 97, 64, 10_000, 1e-5, true, 1, 2);
        assertFalse(HfConfig.tensorShapes(tied).containsKey("lm_head.weight"));
    }

    private ModelConfig read(String json) throws IOException {
        Path file = dir.resolve("read.json");
        Files.writeString(file, json);
        return HfConfig.read(file);
    }
}
