package dev.jchat.cli;

import dev.jchat.tokenizer.BpeTrainer;
import dev.jchat.tokenizer.HfTokenizerJson;
import dev.jchat.tokenizer.PreTokenizer;
import dev.jchat.tokenizer.SpecialTokens;
import dev.jchat.tokenizer.TrainingCorpus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jchat tokenizer train}: byte-level BPE from documents to tokenizer.json and a summary. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a byte-level BPE tokenizer. Writes OUT/tokenizer.json (HF format) and OUT/tokenizer.txt "
                + "(a readable summary with the training statistics).",
                "Inputs: text files (one document per line), directories (recursively), JSONL with a \"text\" field, "
                        + "each optionally .gz or .zst; globs work. Bad JSONL lines are skipped and counted."})
final class TrainTokenizerCommand implements Callable<Integer> {

    @Option(names = "--input", required = true, arity = "1..*", paramLabel = "PATH", description = "files, directories or globs")
    List<String> inputs;

    @Option(names = "--vocab-size", required = true, paramLabel = "N",
            description = "ids in all: 256 bytes + merges + special tokens")
    int vocabSize;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output directory")
    Path out;

    @Option(names = "--pattern", defaultValue = "gpt4", paramLabel = "gpt4|gpt2|o200k|REGEX",
            description = "split pattern (default: ${DEFAULT-VALUE})")
    String pattern;

    @Option(names = "--special", arity = "1..*", paramLabel = "TOKEN",
            description = "extra special tokens, after jchat's reserved ones")
    List<String> extraSpecials = new ArrayList<>();

    @Option(names = "--max-chars", defaultValue = "" + BpeTrainer.DEFAULT_MAX_CHARS, paramLabel = "N",
            description = "train on the first N chars of each document (default: ${DEFAULT-VALUE})")
    int maxChars;

    @Option(names = "--threads", paramLabel = "N", description = "counting threads (default: all cores)")
    Integer threads;

    @Override
    public Integer call() throws IOException {
        var specials = new ArrayList<>(SpecialTokens.RESERVED);
        for (String special : extraSpecials) {
            if (!specials.contains(special)) {
                specials.add(special);
            }
        }
        var trainer = new BpeTrainer(vocabSize)
                .withPreTokenizer(PreTokenizer.named(pattern))
                .withSpecials(specials)
                .withMaxChars(maxChars)
                .withName(out.toAbsolutePath().normalize().getFileName() + "")
                .withThreads(threads != null ? threads : Runtime.getRuntime().availableProcessors());
        TrainingCorpus corpus = TrainingCorpus.of(inputs);
        System.err.printf("jchat: training a %d-id tokenizer on %d file(s), %.1f MB%n",
                vocabSize, corpus.files().size(), corpus.totalBytes() / 1e6);
        System.out.print(write(train(trainer, corpus), corpus, out));
        System.err.println("jchat: wrote " + out.resolve("tokenizer.json") + " and tokenizer.txt");
        return 0;
    }

    /** Writes DIR/tokenizer.json and DIR/tokenizer.txt; returns the summary. */
    static String write(BpeTrainer.Result result, TrainingCorpus corpus, Path dir) throws IOException {
        Files.createDirectories(dir);
        writeAtomically(dir.resolve("tokenizer.json"), file -> HfTokenizerJson.write(result.tokenizer(), file));
        String summary = TokenizerSummary.describe(result.tokenizer()) + TrainingReport.describe(result.stats(), corpus);
        writeAtomically(dir.resolve("tokenizer.txt"), file -> Files.writeString(file, summary));
        return summary;
    }

    static BpeTrainer.Result train(BpeTrainer trainer, TrainingCorpus corpus) {
        var bars = new Object() {
            ProgressBar count;
            ProgressBar merge;
        };
        BpeTrainer.Result result = trainer.train(corpus, (phase, done, total) -> {
            if (phase.equals("count")) {
                if (bars.count == null) {
                    bars.count = new ProgressBar("count ", total, "MB", 1e6);
                }
                bars.count.update(done, total);
            } else {
                if (bars.merge == null) {
                    bars.count.close();
                    bars.merge = new ProgressBar("merge ", total, "merges", 1);
                }
                bars.merge.update(done, total);
            }
        });
        if (bars.merge != null) {
            bars.merge.close();
        }
        return result;
    }

    private interface FileWriter {
        void write(Path file) throws IOException;
    }

    /** Writes beside the target, then renames, so a crash never leaves a half-written file under the real name. */
    private static void writeAtomically(Path target, FileWriter writer) throws IOException {
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        writer.write(partial);
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
