package dev.jchat.bench;

import dev.jchat.model.backend.Tensor;
import dev.jchat.model.cpu.CpuBackend;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Milliseconds per call of the CPU backend's non-matmul kernels on the activation shapes of the benchmark
 * configurations T and S (batch 8 × sequence 256 = 2048 rows, vocab 8192): attention forward and backward (with
 * GFLOP/s counting 4·t²/2·headDim flop per head forward, 10·t²/2·headDim backward), the fused LM-head cross-entropy in
 * evaluation and in training, RMSNorm, SwiGLU, RoPE and one AdamW step over the parameter count. Each case is warmed
 * up, then timed in {@code --reps} repetitions (default 3) of about {@code --seconds} each (default 0.5); the table
 * shows the median repetition and the spread (min–max) as a noise check.
 *
 * <pre>
 * mvn -q -pl tokenizer,data,model,bench package -DskipTests
 * java --add-modules jdk.incubator.vector -cp bench/target/jchat-bench.jar dev.jchat.bench.KernelBench
 * </pre>
 * Options: {@code --threads N} (default 2), {@code --seconds S}, {@code --reps N}, {@code --only T|S}.
 */
public final class KernelBench {

    /** An activation shape: model width, heads, FFN width, parameter count. */
    private record Config(String name, int dim, int heads, int ffn, long params) {}

    private record Case(String name, Runnable op, double flop) {}

    private static final int BATCH = 8;
    private static final int SEQ = 256;
    private static final int VOCAB = 8192;
    private static final int HEAD_DIM = 64;

    private KernelBench() {}

    public static void main(String[] args) {
        int threads = 2;
        double seconds = 0.5;
        int reps = 3;
        List<String> only = List.of("T", "S");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--only" -> only = List.of(args[++i].split(","));
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (options: --threads N, --seconds S, --reps N, --only T,S)");
            }
        }
        // parameters: embedding and head (2·vocab·dim) plus per layer 4·dim² (attention) and 3·dim·ffn (MLP)
        List<Config> configs = List.of(
                new Config("T", 256, 4, 688, 2L * VOCAB * 256 + 4 * (4L * 256 * 256 + 3L * 256 * 688)),
                new Config("S", 384, 6, 1024, 2L * VOCAB * 384 + 6 * (4L * 384 * 384 + 3L * 384 * 1024)));
        System.out.printf("java %s, %d threads, %d reps of %.2f s, median [min-max] ms per call%n",
                System.getProperty("java.version"), threads, reps, seconds);
        try (CpuBackend cpu = new CpuBackend(threads)) {
            for (Config config : configs) {
                if (!only.contains(config.name())) {
                    continue;
                }
                for (Case c : cases(cpu, config)) {
                    double[] ms = measure(c.op(), seconds, reps);
                    String rate = c.flop() > 0 ? String.format("  %6.1f GFLOP/s", c.flop() / ms[1] / 1e6) : "";
                    System.out.printf("%-3s %-28s %8.2f [%7.2f-%7.2f]%s%n", config.name(), c.name(), ms[1], ms[0],
                            ms[2], rate);
                }
            }
        }
    }

    private static List<Case> cases(CpuBackend cpu, Config cfg) {
        Random rnd = new Random(7);
        int n = BATCH * SEQ;
        int c = cfg.dim();
        int heads = cfg.heads();
        int qkvWidth = 3 * c;
        Tensor qkv = random(cpu, rnd, n * qkvWidth, 1);
        Tensor att = random(cpu, rnd, n * c, 1);
        Tensor lse = random(cpu, rnd, BATCH * heads * SEQ, 1);
        Tensor datt = random(cpu, rnd, n * c, 1);
        Tensor dqkv = random(cpu, rnd, n * qkvWidth, 1);
        Tensor x = random(cpu, rnd, n * c, 1);
        Tensor dx = random(cpu, rnd, n * c, 1);
        Tensor head = random(cpu, rnd, VOCAB * c, 0.05);
        Tensor dhead = random(cpu, rnd, VOCAB * c, 1);
        int[] targets = new int[n];
        for (int i = 0; i < n; i++) {
            targets[i] = rnd.nextInt(VOCAB);
        }
        Tensor weight = random(cpu, rnd, c, 1);
        Tensor dweight = random(cpu, rnd, c, 1);
        Tensor normed = random(cpu, rnd, n * c, 1);
        Tensor rstd = random(cpu, rnd, n, 1);
        Tensor gateUp = random(cpu, rnd, n * 2 * cfg.ffn(), 1);
        Tensor dgateUp = random(cpu, rnd, n * 2 * cfg.ffn(), 1);
        Tensor act = random(cpu, rnd, n * cfg.ffn(), 1);
        Tensor cos = random(cpu, rnd, SEQ * HEAD_DIM / 2, 1);
        Tensor sin = random(cpu, rnd, SEQ * HEAD_DIM / 2, 1);
        int p = (int) cfg.params();
        Tensor params = random(cpu, rnd, p, 1);
        Tensor grads = random(cpu, rnd, p, 1);
        Tensor m = random(cpu, rnd, p, 0);
        Tensor v = random(cpu, rnd, p, 0);
        int[] step = {0};
        double pairs = (double) BATCH * heads * SEQ * (SEQ + 1) / 2;
        double lmHead = 2.0 * n * c * VOCAB;
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("attention forward", () -> cpu.attention(att, lse, qkv, BATCH, SEQ, heads, heads, HEAD_DIM),
                4 * pairs * HEAD_DIM));
        cases.add(new Case("attention backward", () -> cpu.attentionBackward(dqkv, datt, qkv, att, lse, BATCH, SEQ,
                heads, heads, HEAD_DIM), 10 * pairs * HEAD_DIM));
        cases.add(new Case("cross-entropy eval", () -> cpu.crossEntropy(null, null, x, head, targets, null, n, c,
                VOCAB, 1f), lmHead));
        cases.add(new Case("cross-entropy train", () -> cpu.crossEntropy(dx, dhead, x, head, targets, null, n, c,
                VOCAB, 1f / n), 3 * lmHead));
        cases.add(new Case("rmsnorm forward", () -> cpu.rmsNorm(normed, rstd, x, weight, n, c, 1e-5f), 0));
        cases.add(new Case("rmsnorm backward", () -> cpu.rmsNormBackward(dx, dweight, normed, x, weight, rstd, n, c),
                0));
        cases.add(new Case("swiglu forward", () -> cpu.swiglu(act, gateUp, n, cfg.ffn()), 0));
        cases.add(new Case("swiglu backward", () -> cpu.swigluBackward(dgateUp, act, gateUp, n, cfg.ffn()), 0));
        cases.add(new Case("rope q and k", () -> cpu.rope(qkv, cos, sin, BATCH, SEQ, qkvWidth, 2 * heads, HEAD_DIM, 0,
                false), 0));
        cases.add(new Case("adamw " + p / 1_000_000 + "M params", () -> cpu.adamw(params, grads, m, v, 1e-4f, 0.9f,
                0.95f, 1e-8f, 0.1f, ++step[0]), 0));
        cases.add(new Case("sum of squares (grad norm)", () -> cpu.sumOfSquares(grads), 0));
        return cases;
    }

    /** Min, median and max milliseconds per call over the repetitions, after one warm-up repetition. */
    private static double[] measure(Runnable op, double seconds, int reps) {
        double[] ms = Arrays.stream(CallRate.repetitions(op, seconds, reps)).map(rate -> 1e3 / rate).sorted().toArray();
        return new double[] {ms[0], ms[reps / 2], ms[reps - 1]};
    }

    private static Tensor random(CpuBackend cpu, Random rnd, int size, double scale) {
        float[] a = new float[size];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (rnd.nextGaussian() * scale);
        }
        Tensor t = Tensor.of(cpu.allocate(size));
        cpu.upload(t, a, 0);
        return t;
    }
}
