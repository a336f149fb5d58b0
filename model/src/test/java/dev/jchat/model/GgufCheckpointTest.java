package dev.jchat.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jchat.model.backend.Backend;
import dev.jchat.model.cpu.CpuBackend;
import dev.jchat.model.gguf.GgmlType;
import dev.jchat.model.gguf.GgufFile;
import dev.jchat.model.gguf.GgufValue;
import dev.jchat.model.gguf.GgufWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models through GGUF and back: llama.cpp's names, dimension order and Q/K row order on the way out, the inverse on
 * the way in, so that an F32 export loads bit for bit and the others score close to the original. (That llama.cpp
 * itself computes the same logits from the file is checked in the CLI's LlamaCppParityTest.)
 */
class GgufCheckpointTest {
    /** Grouped-query attention: the key permutation runs over fewer heads than the query one. */
    private static final ModelConfig CONFIG = new ModelConfig(2, 4, 2, 32, 64, 96, 32, 10_000, 1e-5, false, 1, 2);
    private static final int[] TOKENS = {1, 17, 40, 3, 95, 8, 8, 60, 2, 33};

    @TempDir
    Path dir;

    @Test
    void anF32ExportLoadsBitForBitAndScoresTheSame() throws IOException {
        try (Backend backend = new CpuBackend(2); var model = new LlamaModel(CONFIG, backend, 3)) {
            Path file = dir.resolve("m.gguf");
            GgufCheckpoint.save(file, model, GgmlType.F32, Map.of("general.name", GgufValue.string("tiny")));
            try (var loaded = GgufCheckpoint.load(file, backend)) {
                assertEquals(CONFIG, loaded.config());
                assertArrayEquals(values(model), values(loaded));
                assertArrayEquals(model.lastLogits(TOKENS, TOKENS.length), loaded.lastLogits(TOKENS, TOKENS.length));
            }
        }
    }

    @Test
    void tensorsCarryLlamaCppsNamesDimensionsAndRowOrder() throws IOException {
        try (Backend backend = new CpuBackend(2); var model = new LlamaModel(CONFIG, backend, 3)) {
            Path file = dir.resolve("m.gguf");
            GgufCheckpoint.save(file, model, GgmlType.F32, Map.of());
            float[] hf = values(model);
            int hd = CONFIG.headDim();
            int c = CONFIG.dim();
            try (GgufFile gguf = GgufFile.open(file)) {
                assertEquals("llama", gguf.string("general.architecture"));
                assertEquals(2, gguf.integer("llama.attention.head_count_kv"));
                assertEquals(hd, gguf.integer("llama.rope.dimension_count"));
                assertEquals((float) 1e-5, gguf.real("llama.attention.layer_norm_rms_epsilon"));
                var names = new ArrayList<String>();
                gguf.tensors().forEach(t -> names.add(t.name()));
                assertEquals(List.of("token_embd.weight", "blk.0.attn_q.weight", "blk.0.attn_k.weight",
                        "blk.0.attn_v.weight", "blk.0.attn_output.weight", "blk.0.ffn_gate.weight",
                        "blk.0.ffn_up.weight", "blk.0.ffn_down.weight"), names.subList(0, 8));
                assertTrue(names.containsAll(List.of("output.weight", "output_norm.weight", "blk.1.attn_norm.weight",
                        "blk.1.ffn_norm.weight")));
                assertArrayEquals(new long[] {c, CONFIG.vocab()}, gguf.tensor("token_embd.weight").dims());
                assertArrayEquals(new long[] {CONFIG.ffn(), c}, gguf.tensor("blk.0.ffn_down.weight").dims());
                for (String[] qk : new String[][] {{"q_proj", "attn_q"}, {"k_proj", "attn_k"}}) {
                    long hfOffset = model.layout().parameter("model.layers.1.self_attn." + qk[0] + ".weight").offset();
                    float[] gg = gguf.floats("blk.1." + qk[1] + ".weight");
                    // in each head, llama.cpp's rows 2i and 2i + 1 are HF's rows i and i + hd/2 (head 1, i = 3 here)
                    int head = 1;
                    int i = 3;
                    assertArrayEquals(row(hf, hfOffset, head * hd + i, c), row(gg, 0, head * hd + 2 * i, c), qk[0]);
                    assertArrayEquals(row(hf, hfOffset, head * hd + i + hd / 2, c), row(gg, 0, head * hd + 2 * i + 1,
                            c), qk[0]);
                }
                long v = model.layout().parameter("model.layers.1.self_attn.v_proj.weight").offset();
                assertArrayEquals(row(hf, v, 3, c), row(gguf.floats("blk.1.attn_v.weight"), 0, 3, c),
                        "v is not permuted");
            }
        }
    }

    @Test
    void reducedTypesScoreCloseToTheOriginal() throws IOException {
        try (Backend backend = new CpuBackend(2); var model = new LlamaModel(CONFIG, backend, 3)) {
            float[] expected = model.lastLogits(TOKENS, TOKENS.length);
            Map<GgmlType, Double> tolerance = Map.of(GgmlType.F16, 1e-3, GgmlType.BF16, 1e-2, GgmlType.Q8_0, 1e-2);
            for (GgmlType type : List.of(GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0)) {
                Path file = dir.resolve(type + ".gguf");
                GgufCheckpoint.save(file, model, type, Map.of());
                try (GgufFile gguf = GgufFile.open(file)) {
                    assertEquals(type, gguf.tensor("blk.0.attn_q.weight").type());
                    assertEquals(GgmlType.F32, gguf.tensor("blk.0.attn_norm.weight").type(), "norms stay F32");
                }
                try (var loaded = GgufCheckpoint.load(file, backend)) {
                    float[] logits = loaded.lastLogits(TOKENS, TOKENS.length);
                    double diff = 0;
                    for (int i = 0; i < logits.length; i++) {
                        diff = Math.max(diff, Math.abs(logits[i] - expected[i]));
                    }
                    assertTrue(diff > 0 && diff < tolerance.get(type), type + ": max logit difference " + diff);
                }
            }
        }
    }

    @Test
    void tiedEmbeddingsWriteNoOutputTensorAndLoadTied() throws IOException {
        var tied = new ModelConfig(1, 2, 2, 32, 64, 96, 32, 500_000, 1e-6, true, 0, -1);
        try (Backend backend = new CpuBackend(2); var model = new LlamaModel(tied, backend, 4)) {
            Path file = dir.resolve("tied.gguf");
            GgufCheckpoint.save(file, model, GgmlType.F32, Map.of());
            try (GgufFile gguf = GgufFile.open(file)) {
                assertFalse(gguf.contains("output.weight"));
            }
            try (var loaded = GgufCheckpoint.load(file, backend)) {
                assertEquals(tied, loaded.config());
                assertArrayEquals(model.lastLogits(TOKENS, 4), loaded.lastLogits(TOKENS, 4));
            }
        }
    }

    @Test
    void aTokenListOfTheWrongSizeIsRefused() throws IOException {
        try (Backend backend = new CpuBackend(1); var model = new LlamaModel(CONFIG, backend, 3)) {
            var e = assertThrows(IllegalArgumentException.class, () -> GgufCheckpoint.save(dir.resolve("x.gguf"), model,
                    GgmlType.F32, Map.of("tokenizer.ggml.tokens", GgufValue.strings(List.of("a", "b")))));
            assertEquals("the tokenizer has 2 tokens, the model 96 embeddings", e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> GgufCheckpoint.save(dir.resolve("x.gguf"), model,
                    GgmlType.F32, Map.of("llama.block_count", GgufValue.uint32(7))), "the export writes that key");
        }
    }

    @Test
    void otherArchitecturesAndMismatchedTensorsAreRefusedNamingTheProblem() throws IOException {
        try (Backend backend = new CpuBackend(1); var model = new LlamaModel(CONFIG, backend, 3)) {
            Path file = dir.resolve("other.gguf");
            GgufWriter.write(file, Map.of("general.architecture", GgufValue.string("gpt2")), List.of());
            var e = assertThrows(IOException.class, () -> GgufCheckpoint.load(file, backend));
            assertEquals(file + ": architecture is gpt2, not llama", e.getMessage());

            Path good = dir.resolve("good.gguf");
            GgufCheckpoint.save(good, model, GgmlType.F32, Map.of());
            Path bad = dir.resolve("bad.gguf");
            var meta = new LinkedHashMap<String, GgufValue>();
            try (GgufFile gguf = GgufFile.open(good)) {
                meta.putAll(gguf.metadata());
            }
            meta.put("llama.feed_forward_length", GgufValue.uint32(128));
            rewrite(good, bad, meta);
            e = assertThrows(IOException.class, () -> GgufCheckpoint.load(bad, backend));
            assertEquals(bad + ": tensor blk.0.ffn_gate.weight has dimensions [32, 64], but the metadata implies "
                    + "[32, 128]", e.getMessage());
            meta.put("llama.feed_forward_length", GgufValue.uint32(64));
            meta.put("llama.rope.scaling.type", GgufValue.string("yarn"));
            rewrite(good, bad, meta);
            e = assertThrows(IOException.class, () -> GgufCheckpoint.load(bad, backend));
            assertEquals(bad + ": RoPE scaling yarn is not supported", e.getMessage());
            meta.remove("llama.rope.scaling.type");
            rewrite(good, bad, meta, new GgufWriter.Tensor("rope_freqs.weight", GgmlType.F32, new long[] {4},
                    new float[4], 0));
            e = assertThrows(IOException.class, () -> GgufCheckpoint.load(bad, backend));
            assertTrue(e.getMessage().contains("rope_freqs.weight, Llama 3.1's scaling) are not supported"),
                    e.getMessage());
            meta.put("llama.attention.head_count", GgufValue.uint32(3));
            rewrite(good, bad, meta);
            e = assertThrows(IOException.class, () -> GgufCheckpoint.load(bad, backend));
            assertTrue(e.getMessage().startsWith(bad + ": heads (3) must be a multiple of kv-heads (2)"),
                    e.getMessage());
        }
    }

    /** {@code from}'s tensors and {@code extra} under new metadata. */
    private static void rewrite(Path from, Path to, Map<String, GgufValue> metadata, GgufWriter.Tensor... extra)
            throws IOException {
        var tensors = new ArrayList<GgufWriter.Tensor>();
        try (GgufFile gguf = GgufFile.open(from)) {
            for (GgufFile.TensorInfo t : gguf.tensors()) {
                tensors.add(new GgufWriter.Tensor(t.name(), t.type(), t.dims(), gguf.floats(t.name()), 0));
            }
        }
        tensors.addAll(List.of(extra));
        GgufWriter.write(to, metadata, tensors);
    }

    private static float[] values(LlamaModel model) {
        float[] values = new float[Math.toIntExact(model.layout().size())];
        model.backend().download(model.parameters(), values, 0);
        return values;
    }

    private static float[] row(float[] matrix, long offset, int row, int cols) {
        int from = Math.toIntExact(offset) + row * cols;
        return Arrays.copyOfRange(matrix, from, from + cols);
    }
}
