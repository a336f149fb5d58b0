package dev.jchat.model.train;

import java.util.Locale;

/**
 * Learning rate per step: a linear warm-up from 0, then either cosine decay to {@code minRatio · peak} (GPT-2,
 * llm.c) or warmup-stable-decay (WSD: constant, then a linear decay over the last {@code decayFraction} of the
 * steps, as nanochat does), which lets a run be extended without redoing its decay.
 */
public record LearningRateSchedule(Shape shape, double peak, int warmupSteps, int totalSteps, double minRatio,
                                   double decayFraction) {

    public enum Shape {
        COSINE, WSD;

        public static Shape named(String name) {
            return switch (name.toLowerCase(Locale.ROOT)) {
                case "cosine" -> COSINE;
                case "wsd" -> WSD;
                default -> throw new IllegalArgumentException("unknown schedule '" + name + "' (known: cosine, wsd)");
            };
        }
    }

    public LearningRateSchedule {
        if (!(peak > 0) || warmupSteps < 0 || totalSteps < 1 || minRatio < 0 || minRatio > 1
                || decayFraction < 0 || decayFraction > 1) {
            throw new IllegalArgumentException("bad schedule: peak " + peak + ", warmup " + warmupSteps + ", steps "
                    + totalSteps + ", min ratio " + minRatio + ", decay fraction " + decayFraction);
        }
    }

    /** The rate for a step counted from 0. */
    public double at(int step) {
        if (step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        double floor = peak * minRatio;
        return switch (shape) {
            case COSINE -> {
                int span = Math.max(1, totalSteps - warmupSteps);
                double progress = Math.min(1.0, (double) (step - warmupSteps) / span);
                yield floor + (peak - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
            }
            case WSD -> {
                int decaySteps = (int) Math.round(totalSteps * decayFraction);
                int decayStart = totalSteps - decaySteps;
                if (step < decayStart || decaySteps == 0) {
                    yield peak;
                }
                double progress = Math.min(1.0, (double) (step - decayStart + 1) / decaySteps);
                yield peak + (floor - peak) * progress;
            }
        };
    }
}
