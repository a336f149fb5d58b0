package dev.jchat.cli;

import dev.jchat.model.Checkpoint;
import dev.jchat.model.LlamaModel;
import dev.jchat.model.ModelConfig;
import dev.jchat.model.cpu.CpuBackend;
import dev.jchat.model.data.TokenShards;
import dev.jchat.model.infer.Engine;
import dev.jchat.model.infer.SamplingParams;
import dev.jchat.model.train.LearningRateSchedule;
import dev.jchat.model.train.Pretraining;
import dev.jchat.tokenizer.SpecialTokens;
import dev.jchat.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code jchat pretrain}: next-token prediction on token shards, with checkpoints, logs and resume. */
@Command(name = "pretrain", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Pretrain a Llama-style model on token shards (from jchat tokenize).",
                "Writes OUT/step_NNNNNN/ checkpoints (HF model.safetensors + config.json, tokenizer.json, optimizer, "
                        + "state), OUT/latest, OUT/logs/metrics.jsonl and OUT/logs/loss.svg. After a crash, the same "
                        + "command with --resume continues from the latest checkpoint to the same losses."})
final class PretrainCommand implements Callable<Integer> {

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "token shards (jchat tokenize --out)")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "run directory (e.g. runs/NAME/base)")
    Path out;

    @Option(names = "--tokenizer", paramLabel = "DIR|FILE|NAME",
            description = "the tokenizer that wrote the shards (default: the one their meta.json names)")
    String tokenizer;

    @Mixin
    ModelShapeOptions shape;

    @Option(names = "--seq-len", defaultValue = "256", paramLabel = "T", description = "context length (default: ${DEFAULT-VALUE})")
    int seqLen;

    @Option(names = "--batch", defaultValue = "8", paramLabel = "B", description = "sequences per micro-batch (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--grad-accum", defaultValue = "1", paramLabel = "N", description = "micro-batches per step (default: ${DEFAULT-VALUE})")
    int gradAccum;

    @ArgGroup(exclusive = true)
    Length length = new Length();

    static final class Length {
        @Option(names = "--steps", paramLabel = "N", description = "optimizer steps (default: 1000)")
        Integer steps;

        @Option(names = "--tokens", paramLabel = "N", description = "training tokens (steps = N / tokens per step)")
        Long tokens;
    }

    @Option(names = "--lr", defaultValue = "3e-3", paramLabel = "LR", description = "peak learning rate (default: ${DEFAULT-VALUE})")
    double lr;

    @Option(names = "--warmup", paramLabel = "STEPS", description = "linear warm-up steps (default: 5%% of the steps, at most 200)")
    Integer warmup;

    @Option(names = "--schedule", defaultValue = "cosine", paramLabel = "cosine|wsd",
            description = "cosine decay to --min-lr-ratio, or warmup-stable-decay with the last --decay-fraction "
                    + "decaying (default: ${DEFAULT-VALUE})")
    String schedule;

    @Option(names = "--min-lr-ratio", defaultValue = "0.1", paramLabel = "R", description = "final lr / peak lr (default: ${DEFAULT-VALUE})")
    double minLrRatio;

    @Option(names = "--decay-fraction", defaultValue = "0.2", paramLabel = "F", description = "WSD: decaying share of the steps (default: ${DEFAULT-VALUE})")
    double decayFraction;

    @Option(names = "--optimizer", defaultValue = "adamw", paramLabel = "adamw|muon",
            description = "adamw for everything, or muon for the matrices (AdamW for embeddings, head and norms), "
                    + "nanochat's choice (default: ${DEFAULT-VALUE})")
    String optimizer;

    @Option(names = "--muon-lr", defaultValue = "0.02", paramLabel = "LR", description = "Muon's peak learning rate (default: ${DEFAULT-VALUE})")
    double muonLr;

    @Option(names = "--weight-decay", defaultValue = "0.1", paramLabel = "W", description = "AdamW weight decay of the matrices (default: ${DEFAULT-VALUE})")
    float weightDecay;

    @Option(names = "--grad-clip", defaultValue = "1.0", paramLabel = "NORM", description = "clip the gradient norm (0: off; default: ${DEFAULT-VALUE})")
    float gradClip;

    @Option(names = "--eval-every", defaultValue = "100", paramLabel = "STEPS", description = "validation interval (0: off; default: ${DEFAULT-VALUE})")
    int evalEvery;

    @Option(names = "--eval-batches", defaultValue = "16", paramLabel = "N", description = "validation batches per evaluation (default: ${DEFAULT-VALUE})")
    int evalBatches;

    @Option(names = "--sample-every", defaultValue = "250", paramLabel = "STEPS", description = "sample interval (0: off; default: ${DEFAULT-VALUE})")
    int sampleEvery;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "prompts for the samples (repeatable)")
    List<String> prompts = new ArrayList<>();

    @Option(names = "--save-every", defaultValue = "500", paramLabel = "STEPS", description = "checkpoint interval; the last step is always saved (default: ${DEFAULT-VALUE})")
    int saveEvery;

    @Option(names = "--resume", description = "continue from OUT/latest")
    boolean resume;

    @Option(names = "--seed", defaultValue = "1337", paramLabel = "N", description = "initialisation and data order (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--threads", paramLabel = "N", description = "kernel threads (default: all cores)")
    Integer threads;

    @Option(names = "--peak-gflops", defaultValue = "570", paramLabel = "GFLOPS", description = "the CPU's fp32 peak, for MFU (default: ${DEFAULT-VALUE}, this project's 2-core Zen 5)")
    double peakGflops;

    @Override
    public Integer call() throws Exception {
        TokenShards shards = TokenShards.open(data);
        TokenShards.Meta meta = shards.meta();
        String tokenizerName = tokenizer != null ? tokenizer : meta.tokenizer();
        Tokenizer tok = Tokenizer.load(tokenizerName);
        int eos = tok.specialTokens().getOrDefault(SpecialTokens.ASSISTANT_END, meta.bosId());
        ModelConfig config = shape.config(tok.vocabSize(), seqLen, meta.bosId(), eos);
        meta.checkTokenizer(config.vocab(), tokenizerName, TokenizerFiles.sha256(tokenizerName));
        if (shards.train().isEmpty() || shards.val().isEmpty()) {
            throw new IllegalArgumentException(data + " needs both train and val shards (tokenize with --val-fraction > 0)");
        }
        long tokensPerStep = (long) batch * seqLen * gradAccum;
        int steps = length.tokens != null ? (int) Math.max(1, (length.tokens + tokensPerStep - 1) / tokensPerStep)
                : length.steps != null ? length.steps : 1000;
        checkMemory(config);
        if (!optimizer.equals("adamw") && !optimizer.equals("muon")) {
            throw new IllegalArgumentException("--optimizer " + optimizer + ": expected adamw or muon");
        }
        int warmupSteps = warmup != null ? warmup : Math.min(200, steps / 20);
        var options = new Pretraining.Options(batch, gradAccum, steps,
                new LearningRateSchedule(LearningRateSchedule.Shape.named(schedule), lr, warmupSteps, steps, minLrRatio,
                        decayFraction),
                weightDecay, gradClip, evalEvery, evalBatches, sampleEvery, saveEvery, seed, peakGflops,
                optimizer.equals("muon") ? muonLr : 0);
        if (!resume && Pretraining.latest(out) != null) {
            throw new IllegalArgumentException(out + " already holds a run (latest: " + Pretraining.latest(out)
                    + "): add --resume to continue it, or choose another --out");
        }
        Files.createDirectories(out);
        Path tokenizerJson = TokenizerFiles.writeJson(tok, tokenizerName, out);
        int kernelThreads = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        try (var backend = new CpuBackend(kernelThreads)) {
            var model = new LlamaModel(config, backend, seed);
            System.err.printf(Locale.ROOT, "jchat: pretraining %,d parameters (%d layers, d %d, %d heads / %d kv, ffn %d, "
                            + "vocab %d, seq %d) on %,d train tokens; %d steps of %,d tokens, %d thread(s) -> %s%n",
                    config.parameters(), config.layers(), config.dim(), config.heads(), config.kvHeads(), config.ffn(),
                    config.vocab(), config.seqLen(), meta.train().tokens(), steps, tokensPerStep, kernelThreads, out);
            var sampler = new GreedySampler(tok, prompts.isEmpty()
                    ? List.of("The", "Once upon a time", "The most important thing is") : prompts, 32);
            var bar = new ProgressBar("pretrain", steps, "steps", 1);
            var run = new Pretraining(out, model, shards, TokenizerFiles.tokenBytes(tok), options, tokenizerJson,
                    sampler, new ConsoleListener(bar));
            if (resume) {
                run.resume();
                System.err.println("jchat: resumed from " + Pretraining.latest(out));
            }
            run.run();
            bar.close();
        }
        System.err.println("jchat: wrote " + Pretraining.latest(out) + " and " + out.resolve("logs"));
        return 0;
    }

    /** Refuses a model and batch the heap cannot hold, before any work (parameters, gradients, two moments, activations). */
    private void checkMemory(ModelConfig config) {
        long bytes = 16 * config.parameters() + LlamaModel.activationBytes(config, batch, seqLen);
        long heap = Runtime.getRuntime().maxMemory();
        if (bytes > heap * 0.9) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "this model and batch need about %.1f GB "
                    + "(parameters, gradients and AdamW moments %.1f GB, activations %.1f GB) but the JVM may use %.1f GB: "
                    + "lower --batch or --seq-len (use --grad-accum for the same tokens per step), or raise the heap with "
                    + "JCHAT_JAVA_OPTS=-Xmx…", bytes / 1e9, 16 * config.parameters() / 1e9,
                    LlamaModel.activationBytes(config, batch, seqLen) / 1e9, heap / 1e9));
        }
    }

    /** Step lines on the progress bar; validation, samples and checkpoints as lines of their own. */
    private record ConsoleListener(ProgressBar bar) implements Pretraining.Listener {
        @Override
        public void step(Pretraining.StepMetrics m) {
            bar.update(m.step(), m.steps(), String.format(Locale.ROOT, "loss %.4f, lr %.2e, |g| %.3f, %,.0f tok/s, MFU %.1f%%",
                    m.loss(), m.lr(), m.gradNorm(), m.tokensPerSecond(), 100 * m.mfu()));
        }

        @Override
        public void evaluated(int step, double valLoss, double bitsPerByte) {
            System.err.printf(Locale.ROOT, "%njchat: step %d: val loss %.4f, %.4f bits per byte%n", step, valLoss, bitsPerByte);
        }

        @Override
        public void sampled(int step, List<String> samples) {
            System.err.printf("%njchat: samples at step %d:%n", step);
            samples.forEach(sample -> System.err.println("  " + sample.replace("\n", "\\n")));
        }

        @Override
        public void saved(int step, Path checkpoint) {
            System.err.printf("%njchat: saved %s%n", checkpoint);
        }
    }

    /** Greedy continuations of a few prompts (BOS first, as in training), through the KV-cache engine. */
    record GreedySampler(Tokenizer tokenizer, List<String> prompts, int tokens) implements Pretraining.Sampler {
        @Override
        public List<String> sample(LlamaModel model) {
            var engine = new Engine(model);
            int bos = model.config().bosTokenId();
            var samples = new ArrayList<String>();
            for (String prompt : prompts) {
                int[] encoded = tokenizer.encode(prompt);
                int[] ids = new int[encoded.length + 1];
                ids[0] = bos;
                System.arraycopy(encoded, 0, ids, 1, encoded.length);
                if (ids.length >= model.config().seqLen()) {
                    continue;
                }
                Engine.Generation generation = engine.generate(ids,
                        new Engine.Options(1, tokens, SamplingParams.greedy(), 0, bos), (sample, token) -> true);
                samples.add(prompt + " → " + tokenizer.decode(generation.completions().getFirst().tokens()));
            }
            return samples;
        }
    }

    static Path checkpointDir(Path path) throws java.io.IOException {
        Path latest = Pretraining.latest(path);
        return latest != null && !Files.exists(path.resolve(Checkpoint.CONFIG)) ? latest : path;
    }
}
