package dev.jchat.cli;

import dev.jchat.tokenizer.BpeTrainer;
import dev.jchat.tokenizer.TrainingCorpus;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jchat run}: the main job on a small default. Until the end-to-end pipeline exists it runs the
 * furthest stage that works: a tokenizer trained on real text the run fetches itself.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run the pipeline on a small default: today, fetch Europarl (~21 MB in 21 languages) through "
                + "Maven and train a tokenizer on it into RUNS/NAME/tokenizer/."})
final class RunCommand implements Callable<Integer> {

    @Option(names = "--name", defaultValue = "default", description = "run name (default: ${DEFAULT-VALUE})")
    String name;

    @Option(names = "--runs", defaultValue = "runs", description = "runs directory (default: ${DEFAULT-VALUE})")
    Path runs;

    @Option(names = "--vocab-size", defaultValue = "8192", description = "tokenizer ids (default: ${DEFAULT-VALUE})")
    int vocabSize;

    @Override
    public Integer call() throws Exception {
        Path run = runs.resolve(name);
        Path corpusFile = DefaultCorpus.europarl(run.resolve("corpus"));
        Path tokenizerDir = run.resolve("tokenizer");
        System.err.println("jchat: run " + run + ": tokenizer stage on " + corpusFile);
        TrainingCorpus corpus = TrainingCorpus.of(List.of(corpusFile.toString()));
        BpeTrainer.Result result = TrainTokenizerCommand.train(new BpeTrainer(vocabSize).withName(name), corpus);
        System.out.print(TrainTokenizerCommand.write(result, corpus, tokenizerDir));
        System.out.println("\nwrote " + tokenizerDir.resolve("tokenizer.json") + " and tokenizer.txt; try:\n"
                + "  echo 'Hello world' | ./jchat tokenizer encode --tokenizer " + tokenizerDir);
        return 0;
    }
}
