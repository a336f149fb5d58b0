package dev.jchat.bench;

/** How often a kernel call runs per second, as the kernel benchmarks time it. */
final class CallRate {

    private CallRate() {}

    /** Calls per second of each of {@code reps} repetitions of about {@code seconds}, after one warm-up repetition. */
    static double[] repetitions(Runnable op, double seconds, int reps) {
        perSecond(op, seconds);
        double[] rates = new double[reps];
        for (int r = 0; r < reps; r++) {
            rates[r] = perSecond(op, seconds);
        }
        return rates;
    }

    /** Calls per second over about {@code seconds}. */
    static double perSecond(Runnable op, double seconds) {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        long start = System.nanoTime();
        int calls = 0;
        long now;
        do {
            op.run();
            calls++;
            now = System.nanoTime();
        } while (now < deadline);
        return calls / ((now - start) / 1e9);
    }
}
