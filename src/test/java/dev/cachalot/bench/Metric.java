package dev.cachalot.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One reported quantity (say, warm blob MiB/s), with every round's sample for each subject; summarised as the
 * median and the spread (min to max). Ratios are always Cachalot : peer of the medians.
 */
final class Metric {
    private final String workload;
    private final String name;
    private final String unit;
    private final boolean higherIsBetter;
    private final Map<String, List<Double>> samples = new LinkedHashMap<>();

    Metric(String workload, String name, String unit, boolean higherIsBetter) {
        this.workload = workload;
        this.name = name;
        this.unit = unit;
        this.higherIsBetter = higherIsBetter;
    }

    /** Median and spread of one subject's samples. */
    record Summary(double median, double min, double max, int rounds) {
        static Summary of(List<Double> values) {
            List<Double> sorted = new ArrayList<>(values);
            sorted.sort(Double::compare);
            int n = sorted.size();
            double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
            return new Summary(median, sorted.get(0), sorted.get(n - 1), n);
        }
    }

    synchronized void add(String subject, double value) {
        samples.computeIfAbsent(subject, s -> new ArrayList<>()).add(value);
    }

    synchronized Optional<Summary> summary(String subject) {
        List<Double> values = samples.get(subject);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(Summary.of(values));
    }

    /** Cachalot's median divided by the peer's, when both were measured and the peer's is not zero. */
    Optional<Double> ratio() {
        Optional<Summary> cachalot = summary("cachalot");
        Optional<Summary> peer = summary("peer");
        if (cachalot.isEmpty() || peer.isEmpty() || peer.get().median() == 0) {
            return Optional.empty();
        }
        return Optional.of(cachalot.get().median() / peer.get().median());
    }

    /**
     * The spread of the ratio: Cachalot's sample divided by the peer's of the same round (the two ran back to back),
     * smallest and largest over the rounds both measured.
     */
    synchronized Optional<double[]> ratioSpread() {
        List<Double> cachalot = samples.get("cachalot");
        List<Double> peer = samples.get("peer");
        if (cachalot == null || peer == null) {
            return Optional.empty();
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < Math.min(cachalot.size(), peer.size()); i++) {
            if (peer.get(i) == 0) {
                continue;
            }
            double r = cachalot.get(i) / peer.get(i);
            min = Math.min(min, r);
            max = Math.max(max, r);
        }
        return min <= max ? Optional.of(new double[] {min, max}) : Optional.empty();
    }

    synchronized Map<String, List<Double>> samples() {
        Map<String, List<Double>> copy = new LinkedHashMap<>();
        samples.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        return copy;
    }

    String workload() {
        return workload;
    }

    String name() {
        return name;
    }

    String unit() {
        return unit;
    }

    boolean higherIsBetter() {
        return higherIsBetter;
    }

    String key() {
        return workload + " / " + name;
    }
}
