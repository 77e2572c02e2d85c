package dev.cachalot.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Everything one benchmark run measured, in the order it was first reported. */
final class Results {
    private final Map<String, Metric> metrics = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private final List<String> methods = new ArrayList<>();
    private MachineLimits limits;

    synchronized Metric metric(String workload, String name, String unit, boolean higherIsBetter) {
        return metrics.computeIfAbsent(workload + " / " + name, k -> new Metric(workload, name, unit, higherIsBetter));
    }

    synchronized Optional<Metric> find(String workload, String name) {
        return Optional.ofNullable(metrics.get(workload + " / " + name));
    }

    synchronized List<Metric> metrics() {
        return List.copyOf(metrics.values());
    }

    /** Something a reader of the numbers must know (a workload skipped, a failure, a caveat). */
    synchronized void note(String text) {
        notes.add(text);
    }

    synchronized List<String> notes() {
        return List.copyOf(notes);
    }

    /** How something was measured that the report's header does not say (not a caveat: see {@link #note}). */
    synchronized void method(String text) {
        methods.add(text);
    }

    synchronized List<String> methods() {
        return List.copyOf(methods);
    }

    synchronized void limits(MachineLimits limits) {
        this.limits = limits;
    }

    synchronized MachineLimits limits() {
        return limits;
    }
}
