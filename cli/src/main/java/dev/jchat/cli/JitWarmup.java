package dev.jchat.cli;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Runs untimed iterations until the JIT has settled, so a benchmark times compiled kernels. Until C2 has compiled
 * a Vector API kernel it runs in the interpreter or C1, which box every vector: a training step on config T then
 * takes 2–3× longer and allocates hundreds of MB, and on two busy cores C2 needs 20–30 s to catch up with every
 * kernel. A fixed number of warm-up steps (PyTorch's anchor uses 5) would time the compiler, not the engine. So the
 * warm-up lasts at least a minimum number of iterations and seconds, and then until {@link #QUIET_ITERATIONS}
 * iterations in a row each saw less than {@link #QUIET_COMPILE_MILLIS} ms of compilation.
 */
final class JitWarmup {

    static final int QUIET_ITERATIONS = 3;
    static final long QUIET_COMPILE_MILLIS = 5;

    /** What a warm-up took; {@code settled} is false when it stopped at its iteration limit. */
    record Result(int iterations, double seconds, boolean settled) {
        String describe() {
            return String.format(Locale.ROOT, "%d warm-up iterations in %.0f s%s", iterations, seconds,
                    settled ? "" : ", JIT not yet settled");
        }
    }

    private JitWarmup() {}

    /**
     * Runs {@code iteration} at least {@code minIterations} times and for {@code minSeconds}, then until the JIT is
     * quiet, but at most {@code maxIterations} times.
     */
    static Result run(Runnable iteration, int minIterations, double minSeconds, int maxIterations) {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean monitored = jit != null && jit.isCompilationTimeMonitoringSupported();
        long start = System.nanoTime();
        int quiet = 0;
        int done = 0;
        while (done < maxIterations) {
            double seconds = (System.nanoTime() - start) / 1e9;
            if (done >= minIterations && seconds >= minSeconds && (!monitored || quiet >= QUIET_ITERATIONS)) {
                break;
            }
            long compiledBefore = monitored ? jit.getTotalCompilationTime() : 0;
            iteration.run();
            done++;
            quiet = monitored && jit.getTotalCompilationTime() - compiledBefore < QUIET_COMPILE_MILLIS ? quiet + 1 : 0;
        }
        return new Result(done, (System.nanoTime() - start) / 1e9, monitored && quiet >= QUIET_ITERATIONS);
    }
}
