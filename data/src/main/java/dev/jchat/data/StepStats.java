package dev.jchat.data;

import java.util.Map;
import java.util.TreeMap;

/**
 * The counters datatrove keeps per pipeline block: named counts ({@code total}, {@code forwarded},
 * {@code dropped}, {@code dropped_<reason>}, …) and named value statistics ({@code doc_len}: n, mean, min,
 * max, variance by Welford's method), plus the time spent. One instance per step per task; tasks' stats
 * merge into the run's {@code stats.json}. Not thread-safe: each worker has its own.
 */
public final class StepStats {
    private final String name;
    private final Map<String, Long> counts = new TreeMap<>();
    private final Map<String, Summary> values = new TreeMap<>();
    private long nanos;

    public StepStats(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    public void increment(String label) {
        add(label, 1);
    }

    public void add(String label, long amount) {
        counts.merge(label, amount, Long::sum);
    }

    /** Adds one observation of a value (e.g. a document length). */
    public void observe(String label, double value) {
        values.computeIfAbsent(label, k -> new Summary()).add(value);
    }

    /** Restores a value statistic saved by a task (for merging tasks' stats files). */
    public void restore(String label, long n, double mean, double m2, double min, double max, double total) {
        var saved = new Summary();
        saved.n = n;
        saved.mean = mean;
        saved.m2 = m2;
        saved.min = n > 0 ? min : Double.POSITIVE_INFINITY;
        saved.max = n > 0 ? max : Double.NEGATIVE_INFINITY;
        saved.total = total;
        values.computeIfAbsent(label, k -> new Summary()).merge(saved);
    }

    public void addTime(long elapsedNanos) {
        nanos += elapsedNanos;
    }

    public long count(String label) {
        return counts.getOrDefault(label, 0L);
    }

    public Map<String, Long> counts() {
        return Map.copyOf(counts);
    }

    public Map<String, Summary> values() {
        return Map.copyOf(values);
    }

    public long nanos() {
        return nanos;
    }

    /** Adds another task's counters for the same step. */
    public void merge(StepStats other) {
        other.counts.forEach(this::add);
        other.values.forEach((label, summary) -> values.computeIfAbsent(label, k -> new Summary()).merge(summary));
        nanos += other.nanos;
    }

    /** Running n, mean, min, max and variance (Welford; Chan et al. to merge). */
    public static final class Summary {
        private long n;
        private double mean;
        private double m2;
        private double min = Double.POSITIVE_INFINITY;
        private double max = Double.NEGATIVE_INFINITY;
        private double total;

        void add(double x) {
            n++;
            total += x;
            double delta = x - mean;
            mean += delta / n;
            m2 += delta * (x - mean);
            min = Math.min(min, x);
            max = Math.max(max, x);
        }

        void merge(Summary other) {
            if (other.n == 0) {
                return;
            }
            long combined = n + other.n;
            double delta = other.mean - mean;
            mean += delta * other.n / combined;
            m2 += other.m2 + delta * delta * n * other.n / combined;
            n = combined;
            total += other.total;
            min = Math.min(min, other.min);
            max = Math.max(max, other.max);
        }

        public long n() {
            return n;
        }

        public double mean() {
            return mean;
        }

        public double min() {
            return min;
        }

        public double max() {
            return max;
        }

        public double total() {
            return total;
        }

        /** Population variance, as datatrove reports it. */
        public double variance() {
            return n > 0 ? m2 / n : 0;
        }
    }
}
