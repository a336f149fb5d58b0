package dev.jchat.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.function.LongSupplier;

/**
 * A one-line progress bar on stderr with rate and ETA, redrawn at most ten times a second. When stderr is
 * not a terminal (a log file, CI) it prints a plain line every few seconds instead. The rate and the ETA come from
 * the last {@link #WINDOW_NANOS} (30 s): a training run's first steps are slow while the JIT compiles the kernels
 * (the first alone takes ~10 s), and a resumed run starts part-way, so an average since the start would mislead
 * for minutes. The final line gives the average over the whole run.
 */
final class ProgressBar implements AutoCloseable {
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final long LOG_NANOS = 5_000_000_000L;
    static final long WINDOW_NANOS = 30_000_000_000L;
    private static final long SAMPLE_NANOS = 100_000_000L;

    /** Progress at one moment: the window's rate runs from the oldest sample kept to now. */
    private record Sample(long nanos, long done) {}

    private final PrintStream out;
    private final boolean terminal;
    private final String label;
    private final String unit;
    private final double unitScale;
    private final LongSupplier clock;
    private final long startNanos;
    private final ArrayDeque<Sample> window = new ArrayDeque<>();
    private long total;
    private long lastDrawNanos;
    private long done;
    private String note = "";

    /** {@code unitScale} divides raw counts for display, e.g. 1e6 with unit "MB". */
    ProgressBar(String label, long total, String unit, double unitScale) {
        this(label, total, unit, unitScale, System.err, System.console() != null, System::nanoTime);
    }

    ProgressBar(String label, long total, String unit, double unitScale, PrintStream out, boolean terminal,
                LongSupplier clock) {
        this.out = out;
        this.terminal = terminal;
        this.label = label;
        this.total = total;
        this.unit = unit;
        this.unitScale = unitScale;
        this.clock = clock;
        this.startNanos = clock.getAsLong();
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
        long now = clock.getAsLong();
        if (window.isEmpty() || now - window.peekLast().nanos() >= SAMPLE_NANOS) {
            window.addLast(new Sample(now, done));
            // two samples stay however old, so that steps slower than the window still give a rate
            while (window.size() > 2 && now - window.peekFirst().nanos() > WINDOW_NANOS) {
                window.removeFirst();
            }
        }
        if (now - lastDrawNanos >= (terminal ? REDRAW_NANOS : LOG_NANOS)) {
            lastDrawNanos = now;
            draw(now, false);
        }
    }

    @Override
    public synchronized void close() {
        draw(clock.getAsLong(), true);
    }

    private void draw(long now, boolean finished) {
        double seconds = Math.max(1e-9, (now - startNanos) / 1e9);
        Sample oldest = window.peekFirst();
        double recent = oldest == null ? 0 : (now - oldest.nanos()) / 1e9;
        double perSecond = finished || recent < 0.5 ? done / seconds : (done - oldest.done()) / recent;
        double rate = perSecond / unitScale;
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
        boolean rateKnown = finished || seconds >= 0.5 && perSecond > 0;
        if (rateKnown) {
            line.append("  ").append(format(rate)).append(' ').append(unit).append("/s");
        }
        if (finished) {
            line.append("  in ").append(clock(seconds));
        } else if (total > 0 && done > 0 && rateKnown) {
            line.append("  ETA ").append(clock((total - done) / perSecond));
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
