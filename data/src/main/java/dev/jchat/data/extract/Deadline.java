package dev.jchat.data.extract;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * A per-document time budget, checked cooperatively by the parse and the DOM walks (no thread interruption).
 * The budget is in the current thread's CPU time where the JVM offers it, else in wall time: a page should not
 * be dropped because the machine was oversubscribed while it was being parsed.
 *
 * <p>Reading a thread's CPU clock is a system call (3-10 µs on a busy VM, against 50 ns for
 * {@link System#nanoTime}), so checks read the wall clock and consult the CPU clock only once the wall time
 * could have used up what is left of the budget: a thread's CPU time never advances faster than the wall
 * clock. A page that finishes within the budget in wall time never reads the CPU clock in between.
 */
final class Deadline {

    /** Thrown (without a stack trace) to unwind an extraction that ran past its budget. */
    static final class Expired extends RuntimeException {
        private static final Expired INSTANCE = new Expired();

        private Expired() {
            super("extraction time budget exceeded", null, false, false);
        }
    }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final boolean CPU_CLOCK = THREADS.isCurrentThreadCpuTimeSupported();

    private final boolean cpu;
    private final long start;      // on the budget's clock
    private final long end;        // on the budget's clock; Long.MAX_VALUE: no budget
    private long nextRead;         // wall time before which the budget cannot be used up

    private Deadline(boolean cpu, long budgetNanos) {
        this.cpu = cpu;
        this.start = now();
        this.end = budgetNanos <= 0 ? Long.MAX_VALUE : start + budgetNanos;
        this.nextRead = budgetNanos <= 0 ? Long.MAX_VALUE : System.nanoTime() + budgetNanos;
    }

    /** A deadline {@code budgetNanos} from now (≤ 0: none), on the thread's CPU clock or on the wall clock. */
    static Deadline start(long budgetNanos, boolean cpuTime) {
        return new Deadline(cpuTime && CPU_CLOCK, budgetNanos);
    }

    private long now() {
        return cpu ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
    }

    void check() {
        long wall = System.nanoTime();
        if (wall - nextRead < 0) {
            return;
        }
        long left = end - now();
        if (left < 0) {
            throw Expired.INSTANCE;
        }
        nextRead = wall + left;
    }

    /** Nanoseconds on this deadline's clock since it started. */
    long elapsed() {
        return now() - start;
    }
}
