package dev.jchat.data.pipeline;

import java.nio.file.Path;

/**
 * Where a data run keeps its files, under {@code runs/<name>/data/}:
 * <pre>
 *   documents/00000.jsonl.zst …   the final documents (FineWeb schema)
 *   filtered/00000.jsonl.zst …    survivors of the filters, before dedup
 *   removed/&lt;step&gt;/00000.jsonl.zst  dropped documents with their filter_reason (--keep-removed)
 *   minhash/                      signatures, buckets, clusters, .remove files
 *   stats/&lt;stage&gt;/00000.json       per-task counters;  stats.json: all merged
 *   completions/&lt;stage&gt;/00000     a task that finished (a rerun skips it)
 * </pre>
 */
public record RunLayout(Path root) {

    public Path output(String stage) {
        return root.resolve(stage);
    }

    public Path taskOutput(String stage, int task) {
        return output(stage).resolve("%05d.jsonl.zst".formatted(task));
    }

    public Path removed(String step, int task) {
        return root.resolve("removed").resolve(step).resolve("%05d.jsonl.zst".formatted(task));
    }

    public Path taskStats(String stage, int task) {
        return root.resolve("stats").resolve(stage).resolve("%05d.json".formatted(task));
    }

    public Path completion(String stage, int task) {
        return root.resolve("completions").resolve(stage).resolve("%05d".formatted(task));
    }

    public Path minhash() {
        return root.resolve("minhash");
    }

    public Path stats() {
        return root.resolve("stats.json");
    }
}
