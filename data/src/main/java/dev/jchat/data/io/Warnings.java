package dev.jchat.data.io;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Warnings about skipped input, on stderr. The first hundred are printed; after that they are only
 * counted (the stats name every skip), so a corrupt corpus cannot flood the terminal.
 */
public final class Warnings {
    private static final long PRINTED = 100;
    private static final AtomicLong COUNT = new AtomicLong();

    private Warnings() {}

    public static void warn(String message) {
        long n = COUNT.incrementAndGet();
        if (n <= PRINTED) {
            System.err.println("warning: " + message);
        } else if (n == PRINTED + 1) {
            System.err.println("warning: more skipped input; see the stats for counts");
        }
    }
}
