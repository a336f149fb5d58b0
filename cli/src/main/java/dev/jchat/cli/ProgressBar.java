package dev.jchat.cli;

import java.io.PrintStream;
import java.time.Duration;

/**
 * A one-line progress bar on stderr with rate and ETA, redrawn at most ten times a second. When stderr is
 * not a terminal (a log file, CI) it prints a plain line every few seconds instead.
 */
final class ProgressBar implements AutoCloseable {
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final long LOG_NANOS = 5_000_000_000L;

    private final PrintStream out;
    private final boolean terminal;
    private final String label;
    private final String unit;
    private final double unitScale;
    private long total;
    private final long startNanos = System.nanoTime();
    private long lastDrawNanos;
    private long done;
    private String note = "";

    /** {@code unitScale} divides raw counts for display, e.g. 1e6 with unit "MB". */
    ProgressBar(String label, long total, String unit, double unitScale) {
        this.out = System.err;
        this.terminal = System.console() != null;
        this.label = label;
        this.total = total;
        this.unit = unit;
        this.unitScale = unitScale;
    }

    synchronized void update(long done, long total) {
        this.total = total;
        update(done);
    }

    /** With a note shown after the bar, e.g. documents processed. */
    synchronized void update(long done, long total, String note) {
        this.note = note;
        update(done, total);
    }

    synchronized void update(long done) {
        this.done = done;
        long now = System.nanoTime();
        if (now - lastDrawNanos >= (terminal ? REDRAW_NANOS : LOG_NANOS)) {
            lastDrawNanos = now;
            draw(now, false);
        }
    }

    @Override
    public synchronized void close() {
        draw(System.nanoTime(), true);
    }

    private void draw(long now, boolean finished) {
        double seconds = Math.max(1e-9, (now - startNanos) / 1e9);
        double rate = done / unitScale / seconds;
        var line = new StringBuilder(label).append(' ');
        if (total > 0) {
            double fraction = Math.min(1.0, (double) done / total);
            int filled = (int) (fraction * WIDTH);
            line.append('[').append("=".repeat(filled)).append(filled < WIDTH ? ">" : "")
                    .append(" ".repeat(Math.max(0, WIDTH - filled - 1))).append("] ")
                    .append("%3d%% ".formatted((int) (fraction * 100)))
                    .append(format(done / unitScale)).append('/').append(format(total / unitScale)).append(' ').append(unit);
        } else {
            line.append(format(done / unitScale)).append(' ').append(unit);
        }
        if (!note.isEmpty()) {
            line.append("  ").append(note);
        }
        boolean rateKnown = finished || seconds >= 0.5;
        if (rateKnown) {
            line.append("  ").append(format(rate)).append(' ').append(unit).append("/s");
        }
        if (finished) {
            line.append("  in ").append(clock(seconds));
        } else if (total > 0 && done > 0 && rateKnown) {
            line.append("  ETA ").append(clock(seconds * (total - done) / done));
        }
        if (terminal) {
            out.print("\r" + line + "\u001B[K" + (finished ? "\n" : ""));
        } else {
            out.println(line);
        }
        out.flush();
    }

    private static String format(double value) {
        return value >= 100 ? "%.0f".formatted(value) : value >= 10 ? "%.1f".formatted(value) : "%.2f".formatted(value);
    }

    static String clock(double seconds) {
        var d = Duration.ofMillis((long) (seconds * 1000));
        return d.toHours() > 0 ? "%d:%02d:%02d".formatted(d.toHours(), d.toMinutesPart(), d.toSecondsPart())
                : "%d:%02d".formatted(d.toMinutesPart(), d.toSecondsPart());
    }
}
