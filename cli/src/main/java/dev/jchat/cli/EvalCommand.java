package dev.jchat.cli;

import dev.jchat.model.Checkpoint;
import dev.jchat.model.LlamaModel;
import dev.jchat.model.cpu.CpuBackend;
import dev.jchat.model.data.Batch;
import dev.jchat.model.data.BitsPerByte;
import dev.jchat.model.data.TokenShards;
import dev.jchat.model.data.ValWindows;
import dev.jchat.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jchat eval}: measurements of a checkpoint. */
@Command(name = "eval", mixinStandardHelpOptions = true, subcommands = EvalCommand.Loss.class,
        description = "Evaluate a checkpoint.")
final class EvalCommand {

    @Command(name = "loss", mixinStandardHelpOptions = true,
            description = "Validation loss (nats per token) and bits per byte of a checkpoint on the val shards of DIR.")
    static final class Loss implements Callable<Integer> {
        @Option(names = "--checkpoint", required = true, paramLabel = "DIR",
                description = "a checkpoint folder, or a pretraining run directory (its latest checkpoint)")
        Path checkpoint;

        @Option(names = "--data", required = true, paramLabel = "DIR", description = "token shards (jchat tokenize --out)")
        Path data;

        @Option(names = "--tokens", paramLabel = "N", description = "evaluate the first N val tokens (default: all)")
        Long tokens;

        @Option(names = "--batch", defaultValue = "8", paramLabel = "B", description = "sequences per batch (default: ${DEFAULT-VALUE})")
        int batch;

        @Option(names = "--threads", paramLabel = "N", description = "kernel threads (default: all cores)")
        Integer threads;

        @Override
        public Integer call() throws Exception {
            Path dir = PretrainCommand.checkpointDir(checkpoint);
            TokenShards shards = TokenShards.open(data);
            Path tokenizerJson = dir.resolve("tokenizer.json");
            String tokenizerName = Files.exists(tokenizerJson) ? tokenizerJson.toString() : shards.meta().tokenizer();
            Tokenizer tok = Tokenizer.load(tokenizerName);
            try (var backend = new CpuBackend(threads != null ? threads : Runtime.getRuntime().availableProcessors())) {
                LlamaModel model = Checkpoint.load(dir, backend);
                shards.meta().checkTokenizer(model.config().vocab(), tokenizerName, TokenizerFiles.sha256(tokenizerName));
                int t = model.config().seqLen();
                var val = new ValWindows(shards.val(), t);
                long batches = val.batches(batch);
                if (tokens != null) {
                    batches = Math.min(batches, Math.max(1, tokens / ((long) batch * t)));
                }
                if (batches == 0) {
                    throw new IllegalArgumentException(data + ": the val shards hold fewer than " + batch + " windows of "
                            + (t + 1) + " tokens; lower --batch");
                }
                var bpb = new BitsPerByte(TokenizerFiles.tokenBytes(tok));
                float[] rowLosses = new float[batch * t];
                double sum = 0;
                try (var bar = new ProgressBar("eval", batches * batch * t, "tokens", 1)) {
                    for (long i = 0; i < batches; i++) {
                        Batch b = val.batch(i, batch);
                        sum += model.loss(b.inputs(), b.targets(), batch, t, rowLosses);
                        bpb.add(b.targets(), rowLosses);
                        bar.update((i + 1) * batch * t);
                    }
                }
                long counted = batches * batch * t;
                System.out.printf(Locale.ROOT, "checkpoint  %s%nval tokens  %,d%nval loss    %.4f nats/token%n"
                        + "bits/byte   %.4f (%,d bytes)%n", dir, counted, sum / counted, bpb.value(), bpb.bytes());
            }
            return 0;
        }
    }
}
