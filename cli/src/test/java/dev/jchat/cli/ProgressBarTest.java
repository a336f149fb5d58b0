package dev.jchat.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressBarTest {

    private long now;
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

    private ProgressBar bar(long total) {
        return new ProgressBar("pretrain", total, "steps", 1, new PrintStream(printed, true, StandardCharsets.UTF_8),
                false, () -> now);
    }

    private String lastLine() {
        String[] lines = printed.toString(StandardCharsets.UTF_8).split("\n");
        return lines[lines.length - 1];
    }

    @Test
    void aSlowStartDoesNotInflateTheEtaOnceTheWindowHasPassedIt() {
        var bar = bar(300);
        bar.update(0);
        // the first step takes 10 s (JIT warm-up), then every step 0.5 s
        now += 10_000_000_000L;
        bar.update(1);
        for (int step = 2; step <= 101; step++) {
            now += 500_000_000L;
            bar.update(step);
        }
        // (a log line every 5 s: the last at step 101) 199 steps left at 2 steps/s: 1:39; the average since the start
        // (101 steps in 60 s) would say 1:58
        assertTrue(lastLine().contains("101/300") && lastLine().contains("2.00 steps/s")
                && lastLine().contains("ETA 1:39"), lastLine());
    }

    @Test
    void aResumedRunCountsOnlyTheStepsItRan() {
        var bar = bar(1000);
        bar.update(900);
        for (int step = 901; step <= 920; step++) {
            now += 1_000_000_000L;
            bar.update(step);
        }
        assertTrue(lastLine().contains("1.00 steps/s") && lastLine().contains("ETA 1:20"), lastLine());
    }

    @Test
    void stepsSlowerThanTheWindowStillGiveARateAndTheEndTheWholeAverage() {
        var bar = bar(10);
        bar.update(0);
        for (int step = 1; step <= 4; step++) {
            now += 60_000_000_000L;
            bar.update(step);
        }
        assertTrue(lastLine().contains("0.02 steps/s") && lastLine().contains("ETA 6:00"), lastLine());
        now += 60_000_000_000L;
        bar.update(10);
        bar.close();
        assertTrue(lastLine().contains("in 5:00"), lastLine());
    }
}
