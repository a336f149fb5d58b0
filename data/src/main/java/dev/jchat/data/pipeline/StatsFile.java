package dev.jchat.data.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jchat.data.StepStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stats as datatrove writes them: a list of blocks {@code {name, time_stats, stats: {label: count |
 * {total, n, mean, min, max, variance}}}}, one list per task and one merged list for the run.
 */
public final class StatsFile {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private StatsFile() {}

    public static void write(List<StepStats> blocks, Path file) throws IOException {
        writeJson(toJson(blocks), file);
    }

    /** The run's stats.json: each part of the pipeline by name, with its blocks. */
    public static void writeRun(Map<String, List<StepStats>> parts, Path file) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        parts.forEach((part, blocks) -> root.set(part, toJson(blocks)));
        writeJson(root, file);
    }

    /** Reads a run's stats.json back, parts in file order. */
    public static Map<String, List<StepStats>> readRun(Path file) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": not a stats file: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IOException(file + ": not a run's stats.json (expected an object of parts)");
        }
        var parts = new LinkedHashMap<String, List<StepStats>>();
        for (var part : root.properties()) {
            parts.put(part.getKey(), blocks(part.getValue()));
        }
        return parts;
    }

    private static void writeJson(JsonNode node, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        JSON.writeValue(partial.toFile(), node);
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static ArrayNode toJson(List<StepStats> blocks) {
        ArrayNode list = JSON.createArrayNode();
        for (StepStats block : blocks) {
            ObjectNode node = list.addObject();
            node.put("name", block.name());
            node.put("time_stats", block.nanos() / 1e9);
            ObjectNode stats = node.putObject("stats");
            block.counts().entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .forEach(e -> stats.put(e.getKey(), e.getValue()));
            block.values().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
                ObjectNode summary = stats.putObject(e.getKey());
                StepStats.Summary s = e.getValue();
                summary.put("total", s.total());
                summary.put("n", s.n());
                summary.put("mean", s.mean());
                summary.put("min", s.n() > 0 ? s.min() : 0);
                summary.put("max", s.n() > 0 ? s.max() : 0);
                summary.put("variance", s.variance());
            });
        }
        return list;
    }

    public static List<StepStats> read(Path file) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": not a stats file: " + e.getMessage(), e);
        }
        return blocks(root);
    }

    private static List<StepStats> blocks(JsonNode root) {
        var blocks = new ArrayList<StepStats>();
        for (JsonNode node : root) {
            var block = new StepStats(node.path("name").asText());
            block.addTime((long) (node.path("time_stats").asDouble() * 1e9));
            node.path("stats").properties().forEach(e -> {
                JsonNode value = e.getValue();
                if (value.isNumber()) {
                    block.add(e.getKey(), value.asLong());
                } else {
                    block.restore(e.getKey(), value.path("n").asLong(), value.path("mean").asDouble(),
                            value.path("variance").asDouble() * value.path("n").asLong(), value.path("min").asDouble(),
                            value.path("max").asDouble(), value.path("total").asDouble());
                }
            });
            blocks.add(block);
        }
        return blocks;
    }

    /** Merges blocks of the same name, keeping first-seen order. */
    public static List<StepStats> merge(List<List<StepStats>> perTask) {
        var merged = new LinkedHashMap<String, StepStats>();
        for (List<StepStats> task : perTask) {
            for (StepStats block : task) {
                merged.computeIfAbsent(block.name(), StepStats::new).merge(block);
            }
        }
        return new ArrayList<>(merged.values());
    }
}
