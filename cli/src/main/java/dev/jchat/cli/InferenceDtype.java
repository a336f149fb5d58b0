package dev.jchat.cli;

import dev.jchat.model.GgufCheckpoint;
import dev.jchat.model.LlamaModel;
import dev.jchat.model.gguf.Q8Blocks;
import dev.jchat.model.infer.Engine;
import dev.jchat.model.infer.QuantizedWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** The {@code --dtype} of generate and bench decode: which weights the inference engine multiplies by. */
final class InferenceDtype {

    static final String DESCRIPTION = "weights to compute with: f32; q8_0 (llama.cpp's 8-bit blocks: a Q8_0 GGUF's "
            + "own, anything else quantised at load); auto: the checkpoint's own type (default: ${DEFAULT-VALUE})";

    private InferenceDtype() {}

    static boolean isGguf(Path checkpoint) {
        return Files.isRegularFile(checkpoint) && checkpoint.getFileName().toString().endsWith(".gguf");
    }

    /** An engine for {@code model}, loaded from {@code checkpoint} (null for random weights), computing in {@code dtype}. */
    static Engine engine(LlamaModel model, Path checkpoint, String dtype) throws IOException {
        String type = dtype.toLowerCase(Locale.ROOT);
        if (!type.equals("auto") && !type.equals("f32") && !type.equals("q8_0")) {
            throw new IllegalArgumentException("--dtype is f32, q8_0 or auto, not " + dtype);
        }
        Map<String, Q8Blocks> stored = checkpoint != null && isGguf(checkpoint) && !type.equals("f32")
                ? GgufCheckpoint.q8Blocks(checkpoint) : Map.of();
        boolean q8 = type.equals("q8_0") || type.equals("auto") && !stored.isEmpty();
        return q8 ? new Engine(model, QuantizedWeights.of(model, stored)) : new Engine(model);
    }
}
