package dev.jchat.data.pipeline;

import dev.jchat.data.DocumentStep;
import dev.jchat.data.io.DocumentReader;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * One resumable pass over a list of input files: each file is a task that reads its documents, runs
 * them through the steps in order, and writes the survivors to {@code output/<task:05d>.jsonl.zst}.
 *
 * @param name        the stage's folder name under the run ({@code completions/<name>/}, {@code stats/<name>/})
 * @param inputs      one task per file, in task order
 * @param readerFor   the reader of each input file
 * @param steps       the steps of documents from HTML inputs (with extraction) and from text inputs
 * @param removals    per task, the sorted document indices to drop before the steps (MinHash), or null
 */
public record Stage(String name, List<Path> inputs, Function<Path, DocumentReader> readerFor,
                    StepChain steps, Removals removals) {

    /** The steps a document runs through, chosen by whether its input still needs HTML extraction. */
    public record StepChain(List<DocumentStep> forHtml, List<DocumentStep> forText) {
        public List<DocumentStep> of(boolean html) {
            return html ? forHtml : forText;
        }
    }

    /** Per-task document indices to remove, read from the dedup phase's output. */
    public interface Removals {
        /** The removal step's name in the stats. */
        String name();

        /** Sorted, distinct document indices of the task that are to be dropped. */
        long[] forTask(int task) throws java.io.IOException;
    }
}
