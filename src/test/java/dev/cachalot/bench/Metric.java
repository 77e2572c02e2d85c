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
