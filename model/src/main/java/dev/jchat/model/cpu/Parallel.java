package dev.jchat.model.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * A fixed pool of kernel threads. The calling thread does the first share of every range itself and the
 * workers spin briefly before parking, because a training step issues hundreds of kernel calls of a
 * millisecond or less: an executor's queueing and wake-up latency would be a visible part of each. A share
 * that its worker has not started by the time the caller is done with its own (the worker is parked, or
 * descheduled on a busy machine) the caller takes back and runs itself, so that a call never waits for a
 * thread to be scheduled; the shares stay the same whichever thread runs them.
 */
public final class Parallel implements AutoCloseable {

    /** Work over the half-open index range {@code [start, end)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    private static final int SPINS_BEFORE_PARK = 20_000;

    private final Worker[] workers;
    private volatile boolean closed;

    /** A pool of {@code threads} threads, the caller included. */
    public Parallel(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker();
            Thread thread = Thread.ofPlatform().daemon().name("jchat-kernel-" + (i + 1)).unstarted(workers[i]);
            workers[i].thread = thread;
            thread.start();
        }
    }

    /** One thread per available processor. */
    public static Parallel ofAvailableProcessors() {
        return new Parallel(Runtime.getRuntime().availableProcessors());
    }

    public int threads() {
        return workers.length + 1;
    }

    /** Splits {@code [0, n)} into one contiguous share per thread (fewer when n is small) and waits for all. */
    public void forRange(int n, RangeBody body) {
        int parts = Math.min(threads(), n);
        if (parts <= 1) {
            if (n > 0) {
                body.run(0, n);
            }
            return;
        }
        for (int part = 1; part < parts; part++) {
            workers[part - 1].submit(body, share(n, parts, part), share(n, parts, part + 1));
        }
        Throwable failure = null;
        try {
            body.run(0, share(n, parts, 1));
        } catch (Throwable t) {
            failure = t;
        }
        for (int part = 1; part < parts; part++) {
            Worker worker = workers[part - 1];
            Throwable workerFailure = null;
            if (worker.revoke()) {
                try {
                    body.run(share(n, parts, part), share(n, parts, part + 1));
                } catch (Throwable t) {
                    workerFailure = t;
                }
            } else {
                workerFailure = worker.await();
            }
            if (failure == null) {
                failure = workerFailure;
            }
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
    }

    /** Runs {@code task(i)} for every i in {@code [0, count)}, handing indices out one at a time (for uneven tasks). */
    public void forEachDynamic(int count, IntConsumer task) {
        var next = new AtomicInteger();
        forRange(Math.min(threads(), count), (start, end) -> {
            for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                task.accept(i);
            }
        });
    }

    private static int share(int n, int parts, int part) {
        return (int) ((long) n * part / parts);
    }

    @Override
    public void close() {
        closed = true;
        for (Worker worker : workers) {
            LockSupport.unpark(worker.thread);
        }
    }

    private final class Worker implements Runnable {
        private static final int IDLE = 0;
        private static final int SUBMITTED = 1;
        private static final int RUNNING = 2;

        private Thread thread;
        private RangeBody body;
        private int start;
        private int end;
        private Throwable failure;
        /** IDLE → SUBMITTED (caller) → RUNNING (worker) → IDLE (worker), or SUBMITTED → IDLE (caller, revoked). */
        private final AtomicInteger state = new AtomicInteger(IDLE);

        void submit(RangeBody task, int from, int to) {
            body = task;
            start = from;
            end = to;
            failure = null;
            state.set(SUBMITTED);
            LockSupport.unpark(thread);
        }

        /** Takes the submitted share back if the worker has not started it. */
        boolean revoke() {
            if (state.compareAndSet(SUBMITTED, IDLE)) {
                body = null;
                return true;
            }
            return false;
        }

        /** Waits for the running share; yields after a while, for a worker descheduled on a busy machine. */
        Throwable await() {
            int spins = 0;
            while (state.get() != IDLE) {
                if (++spins < SPINS_BEFORE_PARK) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
            return failure;
        }

        @Override
        public void run() {
            while (!closed) {
                int spins = 0;
                while (state.get() != SUBMITTED && !closed) {
                    if (++spins < SPINS_BEFORE_PARK) {
                        Thread.onSpinWait();
                    } else {
                        LockSupport.park(this);
                    }
                }
                if (closed) {
                    return;
                }
                if (!state.compareAndSet(SUBMITTED, RUNNING)) {
                    continue;
                }
                try {
                    body.run(start, end);
                } catch (Throwable t) {
                    failure = t;
                }
                body = null;
                state.set(IDLE);
            }
        }
    }
}
