package dev.jchat.cli;

import dev.jchat.tokenizer.BpeTrainer;
import dev.jchat.tokenizer.TrainingCorpus;

/** The training statistics part of tokenizer.txt. */
final class TrainingReport {
    private TrainingReport() {}

    static String describe(BpeTrainer.Stats stats, TrainingCorpus corpus) {
        var text = new StringBuilder("\ntraining\n");
        text.append("  inputs          ").append(corpus.files().size()).append(" file(s), ")
                .append("%.1f MB".formatted(corpus.totalBytes() / 1e6)).append('\n');
        text.append("  documents       ").append(stats.documents()).append(" (").append(stats.chars())
                .append(" chars after the per-document cap)\n");
        text.append("  skipped lines   ").append(stats.skippedLines());
        stats.skippedByReason().forEach((reason, n) -> text.append("  ").append(reason).append('=').append(n));
        text.append('\n');
        text.append("  chunks          ").append(stats.chunkOccurrences()).append(" occurrences, ")
                .append(stats.uniqueChunks()).append(" distinct\n");
        if (stats.droppedChunks() > 0) {
            text.append("  dropped chunks  ").append(stats.droppedChunks()).append(" rarest distinct chunks (")
                    .append(stats.droppedOccurrences()).append(" occurrences) over the unique-chunk cap\n");
        }
        text.append("  merges learned  ").append(stats.merges()).append('\n');
        text.append("  time            count %.1f s, merge %.1f s%n".formatted(
                stats.countTime().toMillis() / 1e3, stats.mergeTime().toMillis() / 1e3));
        return text.toString();
    }
}
