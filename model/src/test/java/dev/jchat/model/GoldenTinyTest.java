package dev.jchat.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jchat.model.io.HfConfig;
import dev.jchat.model.io.Safetensors;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The golden files load, agree with each other, and are what the parity tests take them for. */
class GoldenTinyTest {
    private static GoldenTiny golden;

    @BeforeAll
    static void load() {
        golden = GoldenTiny.load();
    }

    @Test
    void configIsTheOddGqaShapeTheReferenceReports() {
        assertEquals(new ModelConfig(2, 4, 2, 48, 88, 97, 64, 10_000, 1e-5, false, 1, 2), golden.config());
        JsonNode reported = golden.ref().get("config");
        assertEquals(12, reported.get("head_dim").intValue());
        assertEquals(golden.config().kvHeads(), reported.get("num_key_value_heads").intValue());
        assertEquals(golden.config().ffn(), reported.get("intermediate_size").intValue());
        assertEquals("float32", golden.ref().get("compute_dtype").asText());
        assertEquals("float64", golden.ref64().get("compute_dtype").asText());
    }

    @Test
    void weightsAndGradientsCarryExactlyTheHfLlamaNamesAndShapes() throws IOException {
        Map<String, long[]> shapes = HfConfig.tensorShapes(golden.config());
        for (String file : List.of("model.safetensors", "grads.safetensors")) {
            try (var st = Safetensors.open(GoldenTiny.dir().resolve(file))) {
                var names = new ArrayList<String>();
                for (var info : st.tensors()) {
                    names.add(info.name());
                    assertArrayEquals(shapes.get(info.name()), info.shape(), file + " " + info.name());
                }
                assertEquals(List.copyOf(shapes.keySet()), names, file);
            }
        }
        assertEquals(golden.config().parameters(),
                golden.weights().values().stream().mapToLong(w -> w.length).sum());
        assertEquals(golden.ref().get("n_params").longValue(), golden.config().parameters());
    }

    @Test
    void gradientNormsMatchTheReport() {
        JsonNode norms = golden.ref().get("grads").get("norms");
        double global = 0;
        for (var e : golden.grads().entrySet()) {
            double norm = norm(e.getValue());
            assertEquals(norms.get(e.getKey()).doubleValue(), norm, 1e-6 * norm, e.getKey());
            global += norm * norm;
        }
        assertEquals(golden.ref().get("grads").get("global_norm").doubleValue(), Math.sqrt(global), 1e-6);
    }

    @Test
    void tokensAreFourSequencesOf33InRange() {
        assertEquals(4, golden.sequences().size());
        for (int[] s : golden.sequences()) {
            assertEquals(33, s.length);
            for (int t : s) {
                assertTrue(t >= 0 && t < golden.config().vocab(), "token " + t);
            }
        }
        assertEquals(4 * 32, golden.ref().get("n_predictions").intValue());
    }

    @Test
    void logitsReproduceTheReportedLossAndLastPosition() {
        float[][] logits = golden.logits();
        int[] seq = golden.sequences().get(0);
        assertEquals(seq.length, logits.length);
        double sum = 0;
        for (int t = 0; t + 1 < seq.length; t++) {
            assertEquals(golden.config().vocab(), logits[t].length);
            sum += logSumExp(logits[t]) - logits[t][seq[t + 1]];
        }
        double perSequence = golden.ref().get("loss_per_sequence").get(0).doubleValue();
        assertEquals(perSequence, sum / (seq.length - 1), 1e-6 * perSequence);

        JsonNode last = golden.ref().get("last_logits");
        float[] row = logits[seq.length - 1];
        for (int i = 0; i < 5; i++) {
            assertEquals(last.get("first5").get(i).doubleValue(), row[i], 0);
        }
        JsonNode ids = last.get("topk_ids");
        for (int k = 0; k < ids.size(); k++) {
            assertEquals(last.get("topk_values").get(k).doubleValue(), row[ids.get(k).intValue()], 0);
        }
        assertEquals(last.get("logsumexp").doubleValue(), logSumExp(row), 1e-5);
    }

    @Test
    void lossIsNearLnVocabAndFloat32AgreesWithFloat64() {
        assertEquals(Math.log(97), golden.ref().get("ln_vocab").doubleValue(), 1e-12);
        assertEquals(Math.log(97), golden.loss(), 0.5, "a random initialisation predicts about uniformly");
        assertEquals(golden.loss64(), golden.loss(), 1e-5);
        assertArrayEquals(golden.greedyGenerated(), ints(golden.ref64().get("greedy").get("generated")));
        assertArrayEquals(new int[] {5, 6, 7}, golden.greedyPrompt());
        assertEquals(8, golden.greedyGenerated().length);
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return Math.sqrt(s);
    }

    private static double logSumExp(float[] v) {
        double max = Double.NEGATIVE_INFINITY;
        for (float x : v) {
            max = Math.max(max, x);
        }
        double s = 0;
        for (float x : v) {
            s += Math.exp(x - max);
        }
        return max + Math.log(s);
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).intValue();
        }
        return out;
    }
}
