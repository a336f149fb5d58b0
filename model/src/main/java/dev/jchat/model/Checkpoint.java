package dev.jchat.model;

import dev.jchat.model.backend.Backend;
import dev.jchat.model.backend.Tensor;
import dev.jchat.model.io.DType;
import dev.jchat.model.io.HfConfig;
import dev.jchat.model.io.Safetensors;
import dev.jchat.model.io.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A model as an HF {@code LlamaForCausalLM} folder: {@code config.json} and {@code model.safetensors} under HF's
 * tensor names, so transformers (and, through the GGUF export, llama.cpp) loads what jchat trains, and jchat loads
 * Llama checkpoints that others trained (F32, F16 or BF16 weights).
 */
public final class Checkpoint {

    public static final String CONFIG = "config.json";
    public static final String WEIGHTS = "model.safetensors";

    private Checkpoint() {}

    /** Writes {@code config.json} and {@code model.safetensors} (F32) into {@code dir}, each file atomically. */
    public static void save(Path dir, LlamaModel model) throws IOException {
        Files.createDirectories(dir);
        float[] values = download(model.parameters(), model.backend());
        var entries = new ArrayList<Safetensors.Entry>();
        for (ParameterLayout.Parameter p : model.layout().parameters()) {
            long[] shape = Arrays.stream(p.shape()).asLongStream().toArray();
            entries.add(new Safetensors.Entry(p.name(), DType.F32, shape, values, Math.toIntExact(p.offset())));
        }
        Safetensors.write(dir.resolve(WEIGHTS), Map.of("producer", "jchat"), entries);
        HfConfig.write(dir.resolve(CONFIG), model.config(), DType.F32);
    }

    /** Loads the model in {@code dir} onto {@code backend}; errors name the file and the tensor that is wrong. */
    public static LlamaModel load(Path dir, Backend backend) throws IOException {
        var model = new LlamaModel(readConfig(dir), backend);
        loadWeights(dir, model);
        return model;
    }

    /** The model shape of the checkpoint in {@code dir}. */
    public static ModelConfig readConfig(Path dir) throws IOException {
        for (String required : List.of(CONFIG, WEIGHTS)) {
            if (!Files.isRegularFile(dir.resolve(required))) {
                throw new IOException(dir + " is not a model checkpoint: " + required + " is missing");
            }
        }
        return HfConfig.read(dir.resolve(CONFIG));
    }

    /** Replaces {@code model}'s parameters with the checkpoint's, which must have the same shape. */
    public static void loadWeights(Path dir, LlamaModel model) throws IOException {
        ModelConfig saved = readConfig(dir);
        if (!saved.equals(model.config())) {
            throw new IOException(dir + " holds a model of another shape (" + saved + ") than expected ("
                    + model.config() + ")");
        }
        Path weightsFile = dir.resolve(WEIGHTS);
        Backend backend = model.backend();
        float[] values = new float[Math.toIntExact(model.layout().size())];
        try (Safetensors weights = Safetensors.open(weightsFile)) {
            for (ParameterLayout.Parameter p : model.layout().parameters()) {
                if (!weights.contains(p.name())) {
                    throw new IOException(weightsFile + ": tensor " + p.name() + " is missing");
                }
                TensorInfo info = weights.tensor(p.name());
                long[] expected = Arrays.stream(p.shape()).asLongStream().toArray();
                if (!Arrays.equals(info.shape(), expected)) {
                    throw new IOException(weightsFile + ": " + p.name() + " has shape " + Arrays.toString(info.shape())
                            + ", but config.json implies " + Arrays.toString(expected));
                }
                weights.floats(p.name(), values, Math.toIntExact(p.offset()));
            }
        }
        backend.upload(model.parameters(), values, 0);
    }

    static float[] download(Tensor tensor, Backend backend) {
        float[] values = new float[Math.toIntExact(tensor.size())];
        backend.download(tensor, values, 0);
        return values;
    }
}
