package dev.jchat.cli;

import dev.jchat.model.LlamaModel;
import dev.jchat.model.ModelConfig;
import dev.jchat.model.backend.Backend;
import dev.jchat.model.backend.KernelProfile;
import dev.jchat.model.cpu.CpuBackend;
import dev.jchat.model.train.AdamW;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jchat bench}: speed of the engine on DESIGN.md's fixed configurations, as the PyTorch anchor measures it. */
@Command(name = "bench", mixinStandardHelpOptions = true, subcommands = BenchCommand.Train.class,
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
                    + "../shared/bench/torch_llama_cpu.py does: warm-up steps, then the median of the timed ones.",
                    "Prints ms/step, tok/s, GFLOP/s and MFU (FLOPs = 6·matmul parameters + 12·layers·seq·width per token)."})
    static final class Train implements Callable<Integer> {
        @Option(names = "--config", defaultValue = "T", paramLabel = "T|S", split = ",",
                description = "configurations to run (default: ${DEFAULT-VALUE}; T,S for both)")
        String[] configs;

        @Option(names = "--steps", defaultValue = "20", paramLabel = "N", description = "timed steps (default: ${DEFAULT-VALUE})")
        int steps;

        @Option(names = "--warmup", defaultValue = "5", paramLabel = "N", description = "untimed steps first (default: ${DEFAULT-VALUE})")
        int warmup;

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
                try (var cpu = new CpuBackend(kernelThreads)) {
                    Backend backend = profile ? kernels.wrap(cpu) : cpu;
                    var model = new LlamaModel(config, backend, 0);
                    var optimizer = new AdamW(model, AdamW.Hyper.defaults(0.1f));
                    for (int step = -warmup; step < steps; step++) {
                        long start = System.nanoTime();
                        model.zeroGradients();
                        model.forwardBackward(inputs, targets, batch, t, 1f / (batch * t));
                        optimizer.step(1e-4f);
                        if (step >= 0) {
                            millis[step] = (System.nanoTime() - start) / 1e6;
                        } else if (step == -1) {
                            kernels.reset();
                        }
                    }
                }
                Arrays.sort(millis);
                double ms = millis[steps / 2];
                double tokensPerSecond = batch * t / (ms / 1e3);
                double gflops = config.trainingFlopsPerToken(t) * tokensPerSecond / 1e9;
                System.out.printf(Locale.ROOT, "config %s: %.1f ms/step, %.0f tok/s, %.1f GFLOP/s, MFU %.1f%% "
                                + "(%d threads, median of %d steps, peak heap %.0f MB)%n", name.toUpperCase(Locale.ROOT),
                        ms, tokensPerSecond, gflops, 100 * gflops / peakGflops, kernelThreads, steps, peakHeapMb());
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
}
