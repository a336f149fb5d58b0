package dev.jchat.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jchat.model.io.HfConfig;
import dev.jchat.model.io.Safetensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tiny golden checkpoint in {@code src/test/resources/golden/tiny} and what PyTorch computes for it
 * ({@code regenerate.sh} there has the commands): a 2-layer Llama with grouped-query attention and odd sizes,
 * for parity tests of the forward and backward passes.
 *
 * <p>The float32 reference and the float64 ground truth differ by 2e-7 in the loss, at most 1.5e-6 in a logit
 * and at most 8e-7 in a gradient relative to that tensor's norm (measured when the files were made); a correct
 * float32 implementation that sums in another order should land within about 1e-5 of them in the logits and
 * the loss, and within about 1e-4 relative in the gradients.
 *
 * @param config    vocab 97, dim 48, 4 heads sharing 2 key/value heads (head size 12), ffn 88, 2 layers,
 *                  seqLen 64, untied head, rope theta 10,000, norm eps 1e-5
 * @param weights   HF tensor name to row-major values, in {@link HfConfig#tensorShapes} order
 * @param grads     HF tensor name to d(loss)/d(weight), where the loss is the mean cross-entropy over all
 *                  4 × 32 predictions (all sequences form one batch)
 * @param sequences 4 sequences of 33 token ids: inputs are ids [0, 32), targets ids [1, 33)
 * @param logits    [33][97]: sequence 0's logits at every position with all 33 ids as input (so rows 0..31 are
 *                  those of the training step; row 32 also appears in {@code ref.last_logits})
 * @param ref       ref.json, the float32 reference: {@code loss}, {@code loss_per_sequence}, {@code last_logits},
 *                  {@code greedy} ({@code prompt}, {@code generated}), {@code grads.norms}
 * @param ref64     ref64.json, the same report computed in float64 (no gradients)
 */
public record GoldenTiny(ModelConfig config, Map<String, float[]> weights, Map<String, float[]> grads,
                         List<int[]> sequences, float[][] logits, JsonNode ref, JsonNode ref64) {

    public static GoldenTiny load() {
        Path dir = dir();
        try {
            ModelConfig config = HfConfig.read(dir.resolve("config.json"));
            float[] flat;
            try (var file = Safetensors.open(dir.resolve("logits.safetensors"))) {
                flat = file.floats("logits");
            }
            float[][] logits = new float[flat.length / config.vocab()][];
            for (int t = 0; t < logits.length; t++) {
                logits[t] = Arrays.copyOfRange(flat, t * config.vocab(), (t + 1) * config.vocab());
            }
            List<int[]> sequences = Files.readAllLines(dir.resolve("tokens.txt")).stream()
                    .filter(line -> !line.isBlank())
                    .map(line -> Arrays.stream(line.trim().split("\\s+")).mapToInt(Integer::parseInt).toArray())
                    .toList();
            var json = new ObjectMapper();
            return new GoldenTiny(config, tensors(dir.resolve("model.safetensors")),
                    tensors(dir.resolve("grads.safetensors")), sequences, logits,
                    json.readTree(dir.resolve("ref.json").toFile()), json.readTree(dir.resolve("ref64.json").toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The folder holding the golden files. */
    public static Path dir() {
        try {
            return Path.of(GoldenTiny.class.getResource("/golden/tiny/config.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public float[] weight(String name) {
        return require(weights, name);
    }

    public float[] grad(String name) {
        return require(grads, name);
    }

    /** The float32 reference's mean cross-entropy over all predictions. */
    public double loss() {
        return ref.get("loss").doubleValue();
    }

    /** The float64 ground truth's mean cross-entropy. */
    public double loss64() {
        return ref64.get("loss").doubleValue();
    }

    /** The prompt of the greedy check: argmax decoding with the whole sequence recomputed at every step. */
    public int[] greedyPrompt() {
        return ints(ref.get("greedy").get("prompt"));
    }

    /** The ids greedy decoding produced after {@link #greedyPrompt}. */
    public int[] greedyGenerated() {
        return ints(ref.get("greedy").get("generated"));
    }

    private static Map<String, float[]> tensors(Path file) throws IOException {
        try (var st = Safetensors.open(file)) {
            var out = new LinkedHashMap<String, float[]>();
            for (var info : st.tensors()) {
                out.put(info.name(), st.floats(info.name()));
            }
            return out;
        }
    }

    private static float[] require(Map<String, float[]> map, String name) {
        float[] values = map.get(name);
        if (values == null) {
            throw new IllegalArgumentException("no golden tensor " + name);
        }
        return values;
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).intValue();
        }
        return out;
    }
}
