package dev.jchat.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jchat.model.Checkpoint;
import dev.jchat.model.GgufCheckpoint;
import dev.jchat.model.LlamaModel;
import dev.jchat.model.ModelConfig;
import dev.jchat.model.ParameterLayout;
import dev.jchat.model.cpu.CpuBackend;
import dev.jchat.model.gguf.GgmlType;
import dev.jchat.model.gguf.GgufFile;
import dev.jchat.model.gguf.GgufValue;
import dev.jchat.model.io.DType;
import dev.jchat.model.io.HfConfig;
import dev.jchat.model.io.Safetensors;
import dev.jchat.tokenizer.HfTokenizerJson;
import dev.jchat.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jchat export}: a checkpoint in the formats other runtimes load. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Write a checkpoint for other runtimes: one GGUF file (llama.cpp, LM Studio, Ollama) or an HF "
                + "folder (transformers): config.json, model.safetensors, tokenizer.json, tokenizer_config.json with "
                + "the chat template, generation_config.json. A GGUF model converts the other way, or to another type.",
                "LM Studio finds a GGUF under ~/.lmstudio/models/<publisher>/<model>/<file>.gguf."})
final class ExportCommand implements Callable<Integer> {

    enum Format { gguf, hf }

    @Option(names = "--checkpoint", required = true, paramLabel = "PATH",
            description = "a checkpoint folder with tokenizer.json, a pretraining run directory (its latest "
                    + "checkpoint), or a GGUF Llama model with a byte-level BPE tokenizer (F32, F16, BF16 or Q8_0)")
    Path checkpoint;

    @Option(names = "--format", required = true, paramLabel = "FORMAT", description = "gguf or hf")
    Format format;

    @Option(names = "--out", required = true, paramLabel = "PATH", description = "the .gguf file, or the HF folder")
    Path out;

    @Option(names = "--dtype", defaultValue = "f32", paramLabel = "TYPE",
            description = "weight type: f32, f16, bf16, or q8_0 (GGUF only; norms stay f32) "
                    + "(default: ${DEFAULT-VALUE})")
    String dtype;

    @Option(names = "--threads", paramLabel = "N", description = "kernel threads (default: all cores)")
    Integer threads;

    @Override
    public Integer call() throws Exception {
        // checked before the model is read: a typo should not cost a load
        GgmlType ggufType = format == Format.gguf ? ggmlType(dtype) : null;
        DType hfType = format == Format.hf ? dType(dtype) : null;
        try (var backend = new CpuBackend(threads != null ? threads : Runtime.getRuntime().availableProcessors())) {
            LlamaModel model;
            Tokenizer tokenizer;
            Path tokenizerJson = null;
            String name;
            if (Files.isRegularFile(checkpoint) && checkpoint.getFileName().toString().endsWith(".gguf")) {
                model = GgufCheckpoint.load(checkpoint, backend);
                try (GgufFile gguf = GgufFile.open(checkpoint)) {
                    tokenizer = GgufTokenizer.read(gguf);
                }
                name = checkpoint.getFileName().toString().replaceFirst("\\.gguf$", "");
            } else {
                Path dir = PretrainCommand.checkpointDir(checkpoint);
                model = Checkpoint.load(dir, backend);
                tokenizerJson = dir.resolve("tokenizer.json");
                if (!Files.isRegularFile(tokenizerJson)) {
                    throw new IllegalArgumentException(dir + " has no tokenizer.json; an export needs the tokenizer "
                            + "the model was trained with");
                }
                tokenizer = HfTokenizerJson.read(tokenizerJson);
                name = modelName(dir);
            }
            try (model) {
                if (ggufType != null) {
                    var metadata = new LinkedHashMap<String, GgufValue>();
                    metadata.put("general.name", GgufValue.string(name));
                    metadata.putAll(GgufTokenizer.metadata(tokenizer, model.config()));
                    if (out.toAbsolutePath().getParent() != null) {
                        Files.createDirectories(out.toAbsolutePath().getParent());
                    }
                    GgufCheckpoint.save(out, model, ggufType, metadata);
                    System.out.printf(Locale.ROOT, "wrote %s (GGUF, %s, %,d bytes)%n", out, ggufType, Files.size(out));
                } else {
                    writeHf(out, model, hfType, tokenizer, tokenizerJson);
                    System.out.printf(Locale.ROOT, "wrote %s (HF LlamaForCausalLM, %s)%n", out, hfType.torchName());
                }
            }
        }
        return 0;
    }

    /**
     * An HF folder that transformers' {@code AutoModelForCausalLM} and {@code AutoTokenizer} load; its tokenizer.json
     * a copy of {@code tokenizerJson} when there is one (so that a file from elsewhere keeps its every field).
     */
    static void writeHf(Path dir, LlamaModel model, DType type, Tokenizer tokenizer, Path tokenizerJson)
            throws IOException {
        Files.createDirectories(dir);
        float[] values = new float[Math.toIntExact(model.layout().size())];
        model.backend().download(model.parameters(), values, 0);
        var entries = new ArrayList<Safetensors.Entry>();
        for (ParameterLayout.Parameter p : model.layout().parameters()) {
            long[] shape = Arrays.stream(p.shape()).asLongStream().toArray();
            entries.add(new Safetensors.Entry(p.name(), type, shape, values, Math.toIntExact(p.offset())));
        }
        Safetensors.write(dir.resolve(Checkpoint.WEIGHTS), Map.of("producer", "jchat"), entries);
        ModelConfig config = model.config();
        HfConfig.write(dir.resolve(Checkpoint.CONFIG), config, type);
        if (tokenizerJson != null) {
            Files.copy(tokenizerJson, dir.resolve("tokenizer.json"), StandardCopyOption.REPLACE_EXISTING);
        } else {
            HfTokenizerJson.write(tokenizer, dir.resolve("tokenizer.json"));
        }

        var json = new ObjectMapper();
        ObjectNode tokenizerConfig = json.createObjectNode();
        tokenizerConfig.put("tokenizer_class", "PreTrainedTokenizerFast");
        putToken(tokenizerConfig, "bos_token", tokenizer, config.bosTokenId());
        putToken(tokenizerConfig, "eos_token", tokenizer, config.eosTokenId());
        tokenizerConfig.put("model_max_length", config.seqLen());
        tokenizerConfig.put("clean_up_tokenization_spaces", false);
        if (ChatTemplate.fits(tokenizer)) {
            tokenizerConfig.put("chat_template", ChatTemplate.JINJA);
        }
        writeJson(dir.resolve("tokenizer_config.json"), json, tokenizerConfig);

        ObjectNode generation = json.createObjectNode();
        if (config.bosTokenId() >= 0) {
            generation.put("bos_token_id", config.bosTokenId());
        }
        if (config.eosTokenId() >= 0) {
            generation.put("eos_token_id", config.eosTokenId());
        }
        writeJson(dir.resolve("generation_config.json"), json, generation);
    }

    private static void putToken(ObjectNode json, String field, Tokenizer tokenizer, int id) {
        if (id >= 0 && tokenizer.contains(id)) {
            json.put(field, new String(tokenizer.bytes(id), StandardCharsets.UTF_8));
        }
    }

    private static void writeJson(Path file, ObjectMapper json, ObjectNode node) throws IOException {
        Files.writeString(file, json.writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n");
    }

    /** The run's name for {@code general.name}: the folder above {@code base/step_N}, or the folder itself. */
    private static String modelName(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        Path name = abs.getFileName();
        if (name != null && name.toString().startsWith("step_") && abs.getParent() != null
                && abs.getParent().getParent() != null) {
            return abs.getParent().getParent().getFileName() + "-" + abs.getParent().getFileName();
        }
        return name != null ? name.toString() : "jchat";
    }

    static GgmlType ggmlType(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "f32" -> GgmlType.F32;
            case "f16" -> GgmlType.F16;
            case "bf16" -> GgmlType.BF16;
            case "q8_0" -> GgmlType.Q8_0;
            default -> throw new IllegalArgumentException("--dtype " + name + " is not one of f32, f16, bf16, q8_0");
        };
    }

    static DType dType(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "f32" -> DType.F32;
            case "f16" -> DType.F16;
            case "bf16" -> DType.BF16;
            case "q8_0" -> throw new IllegalArgumentException("--dtype q8_0 is GGUF only; an HF folder takes f32, f16 "
                    + "or bf16");
            default -> throw new IllegalArgumentException("--dtype " + name + " is not one of f32, f16, bf16");
        };
    }
}
