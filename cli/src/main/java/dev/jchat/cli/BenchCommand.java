package dev.jchat.cli;

import dev.jchat.model.Checkpoint;
import dev.jchat.model.GgufCheckpoint;
import dev.jchat.model.LlamaModel;
import dev.jchat.model.ModelConfig;
import dev.jchat.model.backend.Backend;
import dev.jchat.model.backend.KernelProfile;
import dev.jchat.model.cpu.CpuBackend;
import dev.jchat.model.infer.Engine;
import dev.jchat.model.infer.SamplingParams;
import dev.jchat.model.train.AdamW;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jchat bench}: speed of the engine on DESIGN.md's fixed configurations, as the PyTorch anchor measures it. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        subcommands = {BenchCommand.Train.class, BenchCommand.Decode.class},
        description = "Benchmark the engine on the fixed configurations T, S and M.")
final class BenchCommand {

    static ModelConfig named(String name) {
        return switch (name.toUpperCase(Locale.ROOT)) {
            case "T" -> ModelConfig.benchT();
            case "S" -> ModelConfig.benchS();
            case "M" -> ModelConfig.benchM();
            default -> throw new IllegalArgumentException("unknown config '" + name + "' (known: T, S, M)");
        };
    }

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = {"Training steps (forward, backward, AdamW) on random tokens, batch 8 × seq 256, as "
                    + "../shared/bench/torch_llama_cpu.py does: warm-up steps until the JIT has compiled the kernels (see "
                    + "--warmup), then the median of the timed ones.",
                    "Prints ms/step, tok/s, GFLOP/s and MFU (FLOPs = 6·matmul parameters + 12·layers·seq·width per token)."})
    static final class Train implements Callable<Integer> {
        @Option(names = "--config", defaultValue = "T", paramLabel = "T|S", split = ",",
                description = "configurations to run (default: ${DEFAULT-VALUE}; T,S for both)")
        String[] configs;

        @Option(names = "--steps", defaultValue = "20", paramLabel = "N", description = "timed steps (default: ${DEFAULT-VALUE})")
        int steps;

        @Option(names = "--warmup", defaultValue = "5", paramLabel = "N",
                description = "untimed steps first, at least (default: ${DEFAULT-VALUE}); warm-up goes on until the "
                        + "JIT has compiled the kernels")
        int warmup;

        @Option(names = "--warmup-seconds", defaultValue = "30", paramLabel = "S",
                description = "untimed seconds first, at least (default: ${DEFAULT-VALUE})")
        double warmupSeconds;

        @Option(names = "--max-warmup", defaultValue = "200", paramLabel = "N",
                description = "untimed steps at most (default: ${DEFAULT-VALUE})")
        int maxWarmup;

        @Option(names = "--batch", defaultValue = "8", paramLabel = "B", description = "sequences per step (default: ${DEFAULT-VALUE})")
        int batch;

        @Option(names = "--threads", paramLabel = "N", description = "kernel threads (default: all cores)")
        Integer threads;

        @Option(names = "--profile", description = "also print the time per kernel (backend call) of a step")
        boolean profile;

        @Option(names = "--peak-gflops", defaultValue = "570", paramLabel = "GFLOPS", description = "fp32 peak for MFU (default: ${DEFAULT-VALUE})")
        double peakGflops;

        @Override
        public Integer call() {
            int kernelThreads = threads != null ? threads : Runtime.getRuntime().availableProcessors();
            for (String name : configs) {
                ModelConfig config = named(name);
                int t = config.seqLen();
                var random = new Random(0);
                int[] inputs = random.ints((long) batch * t, 0, config.vocab()).toArray();
                int[] targets = random.ints((long) batch * t, 0, config.vocab()).toArray();
                double[] millis = new double[steps];
                var kernels = new KernelProfile();
                JitWarmup.Result warm;
                try (var cpu = new CpuBackend(kernelThreads)) {
                    Backend backend = profile ? kernels.wrap(cpu) : cpu;
                    var model = new LlamaModel(config, backend, 0);
                    var optimizer = new AdamW(model, AdamW.Hyper.defaults(0.1f));
                    Runnable step = () -> {
                        model.zeroGradients();
                        model.forwardBackward(inputs, targets, batch, t, 1f / (batch * t));
                        optimizer.step(1e-4f);
                    };
                    warm = JitWarmup.run(step, warmup, warmupSeconds, maxWarmup);
                    kernels.reset();
                    for (int i = 0; i < steps; i++) {
                        long start = System.nanoTime();
                        step.run();
                        millis[i] = (System.nanoTime() - start) / 1e6;
                    }
                }
                Arrays.sort(millis);
                double ms = millis[steps / 2];
                double tokensPerSecond = batch * t / (ms / 1e3);
                double gflops = config.trainingFlopsPerToken(t) * tokensPerSecond / 1e9;
                System.out.printf(Locale.ROOT, "config %s: %.1f ms/step, %.0f tok/s, %.1f GFLOP/s, MFU %.1f%% "
                                + "(%d threads, median of %d steps after %s, peak heap %.0f MB)%n",
                        name.toUpperCase(Locale.ROOT), ms, tokensPerSecond, gflops, 100 * gflops / peakGflops,
                        kernelThreads, steps, warm.describe(), peakHeapMb());
                if (profile) {
                    System.out.print(kernels.report(steps));
                }
            }
            return 0;
        }

        private static double peakHeapMb() {
            return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                    .mapToLong(p -> p.getPeakUsage().getUsed()).sum() / 1e6;
        }
    }

    @Command(name = "decode", mixinStandardHelpOptions = true,
            description = {"Inference at batch 1 with the KV cache: a prompt of random tokens prefilled, then greedy "
                    + "decoding (no stop tokens), as llama-bench's pp and tg tests do. Untimed runs first, until the "
                    + "JIT has compiled the kernels, then the median of the timed ones.",
                    "Prints prefill tok/s and decode tok/s."})
    static final class Decode implements Callable<Integer> {
        @Option(names = "--config", defaultValue = "S", paramLabel = "S|M",
                description = "configuration with random weights (default: ${DEFAULT-VALUE})")
        String config;

        @Option(names = "--checkpoint", paramLabel = "PATH",
                description = "a checkpoint folder, run directory or GGUF file instead of random weights")
        Path checkpoint;

        @Option(names = "--prompt-tokens", defaultValue = "128", paramLabel = "N",
                description = "prefilled tokens (default: ${DEFAULT-VALUE})")
        int promptTokens;

        @Option(names = "--tokens", defaultValue = "128", paramLabel = "N",
                description = "decoded tokens (default: ${DEFAULT-VALUE})")
        int tokens;

        @Option(names = "--runs", defaultValue = "3", paramLabel = "N",
                description = "timed runs (default: ${DEFAULT-VALUE})")
        int runs;

        @Option(names = "--threads", paramLabel = "N", description = "kernel threads (default: all cores)")
        Integer threads;

        @Option(names = "--warmup-seconds", defaultValue = "20", paramLabel = "S",
                description = "untimed runs for at least this long, and until the JIT has compiled the kernels "
                        + "(default: ${DEFAULT-VALUE})")
        double warmupSeconds;

        @Option(names = "--profile", description = "also print the time per kernel (backend call) of a run")
        boolean profile;

        @Option(names = "--dtype", defaultValue = "auto", paramLabel = "f32|q8_0|auto",
                description = InferenceDtype.DESCRIPTION)
        String dtype;

        @Override
        public Integer call() throws Exception {
            int kernelThreads = threads != null ? threads : Runtime.getRuntime().availableProcessors();
            var kernels = new KernelProfile();
            try (var cpu = new CpuBackend(kernelThreads); var model = model(profile ? kernels.wrap(cpu) : cpu)) {
                ModelConfig c = model.config();
                if (promptTokens < 1 || promptTokens + tokens > c.seqLen()) {
                    throw new IllegalArgumentException("--prompt-tokens " + promptTokens + " and --tokens " + tokens
                            + " must fit the context of " + c.seqLen());
                }
                int[] prompt = new Random(0).ints(promptTokens, 0, c.vocab()).toArray();
                var engine = InferenceDtype.engine(model, checkpoint, dtype);
                var options = new Engine.Options(1, tokens, SamplingParams.greedy(), 0);
                JitWarmup.Result warm = JitWarmup.run(() -> engine.generate(prompt, options, (sample, token) -> true),
                        2, warmupSeconds, 200);
                kernels.reset();
                double[] prefill = new double[runs];
                double[] decode = new double[runs];
                for (int run = 0; run < runs; run++) {
                    Engine.Generation g = engine.generate(prompt, options, (sample, token) -> true);
                    prefill[run] = g.prefillTokensPerSecond();
                    decode[run] = g.decodeTokensPerSecond();
                }
                Arrays.sort(prefill);
                Arrays.sort(decode);
                String name = checkpoint != null ? checkpoint.toString() : "config " + config.toUpperCase(Locale.ROOT);
                System.out.printf(Locale.ROOT, "%s (%,d parameters, %s): prefill %d tokens %.1f tok/s, decode %d tokens "
                                + "%.1f tok/s (%d threads, median of %d runs after %s)%n", name, c.parameters(),
                        engine.weightType(), promptTokens, prefill[runs / 2], tokens, decode[runs / 2], kernelThreads,
                        runs, warm.describe());
                if (profile) {
                    System.out.print(kernels.report(runs));
                }
            }
            return 0;
        }

        private LlamaModel model(Backend backend) throws IOException {
            if (checkpoint == null) {
                return new LlamaModel(named(config), backend, 0);
            }
            if (InferenceDtype.isGguf(checkpoint)) {
                return GgufCheckpoint.load(checkpoint, backend);
            }
            return Checkpoint.load(PretrainCommand.checkpointDir(checkpoint), backend);
        }
    }
}
