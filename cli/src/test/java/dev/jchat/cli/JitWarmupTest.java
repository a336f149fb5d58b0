package dev.jchat.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class JitWarmupTest {

    @Test
    void stopsOnceTheMinimumIsMetAndTheJitIsQuiet() {
        var runs = new AtomicInteger();
        JitWarmup.Result result = JitWarmup.run(runs::incrementAndGet, 4, 0, 10_000);
        assertEquals(runs.get(), result.iterations());
        assertTrue(result.iterations() >= 4, result.describe());
        assertTrue(result.settled(), result.describe());
        assertTrue(result.iterations() < 10_000, "the JIT settles long before the limit: " + result.describe());
    }

    @Test
    void warmsUpForTheMinimumTime() {
        JitWarmup.Result result = JitWarmup.run(() -> {}, 1, 0.2, 100_000_000);
        assertTrue(result.seconds() >= 0.2, result.describe());
    }

    @Test
    void neverRunsPastTheLimitAndSaysSoWhenTheJitIsStillBusy() {
        var runs = new AtomicInteger();
        JitWarmup.Result result = JitWarmup.run(runs::incrementAndGet, 50, 0, 7);
        assertEquals(7, runs.get());
        assertEquals(7, result.iterations());
        assertFalse(result.describe().isEmpty());
    }
}
