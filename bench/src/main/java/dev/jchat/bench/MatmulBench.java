package dev.jchat.bench;

import dev.jchat.model.cpu.Matmul;
import dev.jchat.model.cpu.Parallel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * GFLOP/s of the three linear-layer products in {@link Matmul} (forward, backward to the input, backward to the
 * weight) on the layer shapes of the benchmark configurations T and S (2048 rows = batch 8 × sequence 256), on
 * the LM-head row chunks the fused cross-entropy kernel issues (n = 128..512, m = vocab 8192), and forward with
 * n = 1..4 rows (decode). Each case is warmed up, then timed in {@code --reps} repetitions (default 3) of about
 * {@code --seconds} each (default 0.5); the table shows the median repetition, and the spread (min–max) as a
 * noise check. 2·n·k·m flop per product; decode rows are bound by reading the weight, 4·k·m bytes per call, so
 * their GB/s is GFLOP/s × 2 / n. The machine should be otherwise idle (run it under shared/bench/measure.sh), and
 * SgemmBench run beside it is the anchor.
 *
 * <pre>
 * mvn -q -pl tokenizer,data,model,bench package -DskipTests
 * java --add-modules jdk.incubator.vector -cp bench/target/jchat-bench.jar dev.jchat.bench.MatmulBench
 * </pre>
 * Options: {@code --threads N} (default 2), {@code --seconds S}, {@code --reps N},
 * {@code --only T|S|head|decode} (comma-separated groups).
 */
public final class MatmulBench {

    private record Shape(String group, String name, int n, int k, int m) {}

    private enum Product { FORWARD, BACKWARD_INPUT, BACKWARD_WEIGHT }

    private MatmulBench() {}

    public static void main(String[] args) {
        int threads = 2;
        double seconds = 0.5;
        int reps = 3;
        List<String> only = List.of("T", "S", "head", "decode");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--only" -> only = List.of(args[++i].split(","));
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (options: --threads N, --seconds S, --reps N, --only T,S,head,decode)");
            }
        }
        List<Shape> shapes = new ArrayList<>();
        int rows = 8 * 256;
        shapes.add(new Shape("T", "qkv", rows, 256, 768));
        shapes.add(new Shape("T", "attn out", rows, 256, 256));
        shapes.add(new Shape("T", "gate/up", rows, 256, 1376));
        shapes.add(new Shape("T", "down", rows, 688, 256));
        shapes.add(new Shape("S", "qkv", rows, 384, 1152));
        shapes.add(new Shape("S", "attn out", rows, 384, 384));
        shapes.add(new Shape("S", "gate/up", rows, 384, 2048));
        shapes.add(new Shape("S", "down", rows, 1024, 384));
        for (int d : new int[] {256, 384}) {
            for (int n : new int[] {128, 256, 512}) {
                shapes.add(new Shape("head", "lm head d" + d, n, d, 8192));
            }
        }
        for (int n : new int[] {1, 4}) {
            shapes.add(new Shape("decode", "qkv S", n, 384, 1152));
            shapes.add(new Shape("decode", "lm head S", n, 384, 8192));
            shapes.add(new Shape("decode", "lm head M", n, 768, 8192));
        }
        System.out.printf("java %s, %d threads, %d reps of %.2f s, median [min-max] GFLOP/s%n",
                System.getProperty("java.version"), threads, reps, seconds);
        System.out.printf("%-7s %-12s %5s %5s %5s  %-22s %-22s %-22s%n",
                "config", "layer", "n", "k", "m", "forward", "backward input", "backward weight");
        try (Parallel pool = new Parallel(threads)) {
            for (Shape s : shapes) {
                if (!only.contains(s.group())) {
                    continue;
                }
                boolean decode = s.group().equals("decode");
                StringBuilder line = new StringBuilder(String.format("%-7s %-12s %5d %5d %5d ",
                        s.group(), s.name(), s.n(), s.k(), s.m()));
                for (Product p : Product.values()) {
                    if (decode && p != Product.FORWARD) {
                        line.append(String.format(" %-22s", "-"));
                        continue;
                    }
                    double[] g = measure(pool, s, p, seconds, reps);
                    line.append(String.format(" %-22s", String.format("%6.1f [%5.1f-%5.1f]", g[1], g[0], g[2])));
                }
                System.out.println(line);
            }
        }
    }

    /** Min, median and max GFLOP/s over the repetitions. */
    private static double[] measure(Parallel pool, Shape s, Product p, double seconds, int reps) {
        int n = s.n();
        int k = s.k();
        int m = s.m();
        Random rnd = new Random(7);
        float[] inp = random(rnd, n * k);
        float[] w = random(rnd, m * k);
        float[] out = random(rnd, n * m);
        float[] dinp = new float[n * k];
        float[] dw = new float[m * k];
        Runnable op = switch (p) {
            case FORWARD -> () -> Matmul.forward(pool, out, 0, inp, 0, w, 0, n, k, m);
            case BACKWARD_INPUT -> () -> Matmul.backwardInput(pool, dinp, 0, out, 0, w, 0, n, k, m);
            case BACKWARD_WEIGHT -> () -> Matmul.backwardWeight(pool, dw, 0, out, 0, inp, 0, n, k, m);
        };
        double flop = 2.0 * n * k * m;
        double[] g = Arrays.stream(CallRate.repetitions(op, seconds, reps)).map(rate -> rate * flop / 1e9).sorted()
                .toArray();
        return new double[] {g[0], g[reps / 2], g[reps - 1]};
    }

    private static float[] random(Random rnd, int size) {
        float[] a = new float[size];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) rnd.nextGaussian();
        }
        return a;
    }
}
