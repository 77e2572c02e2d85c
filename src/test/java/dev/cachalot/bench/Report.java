package dev.cachalot.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Renders a run as a Markdown report (stdout and {@code latest.md}) and as JSON ({@code latest.json}). */
final class Report {
    private final BenchConfig config;
    private final Results results;
    private final MachineShape machine;
    private final Instant date;
    private final List<Targets.Check> checks;

    Report(BenchConfig config, Results results, MachineShape machine, Instant date) {
        this.config = config;
        this.results = results;
        this.machine = machine;
        this.date = date.truncatedTo(ChronoUnit.SECONDS);
        this.checks = Targets.evaluate(results, config);
    }

    List<Targets.Check> checks() {
        return checks;
    }

    Results results() {
        return results;
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Cachalot vs docker-registry (proxy mode), side by side\n\n");
        md.append("- Date: ").append(date).append('\n');
        md.append("- Machine: ").append(machine.summary()).append('\n');
        md.append("- Peer: ").append(machine.peerVersion()).append("; Cachalot commit ").append(machine.commit())
                .append('\n');
        md.append("- Cachalot runs as ").append(config.launcherDescription()).append('\n');
        md.append("- Sizes: blob ").append(config.blobMib()).append(" MiB, ").append(config.rounds())
                .append(" rounds + ").append(config.warmups()).append(" warm-up, manifest cells ")
                .append(config.manifestMillis()).append(" ms, ").append(config.rssStreams())
                .append(" RSS streams, ").append(config.fullManifests()).append(" manifests for the full start; workloads ")
                .append(config.workloads().stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(",")))
                .append("\n\n");

        MachineLimits limits = results.limits();
        if (limits != null) {
            md.append("## Machine limits (same run)\n\n| Limit | MiB/s |\n|---|---:|\n");
            md.append("| Loopback TCP, one plain socket stream | ").append(f(limits.loopbackMiBps())).append(" |\n");
            md.append("| File read from page cache | ").append(f(limits.pageCacheReadMiBps())).append(" |\n");
            md.append("| File write, new file, no sync, before the memory pre-touch | ")
                    .append(f(limits.fileWriteBeforeTouchMiBps())).append(" |\n");
            md.append("| File write, new file, no sync, after it | ").append(f(limits.fileWriteMiBps())).append(" |\n");
            md.append("| SHA-256, one core | ").append(f(limits.sha256MiBps())).append(" |\n\n");
            md.append("Before measuring, a child process touched ").append(limits.preTouchedMib())
                    .append(" MiB of memory and exited (").append(f(limits.preTouchSeconds()))
                    .append(" s): a VM's first touch of guest memory would otherwise slow every new page-cache page"
                            + " (bench/README.md). Everything below ran after it.\n\n");
        }
        results.methods().forEach(line -> md.append(line.replace("\n", " ")).append("\n\n"));

        md.append("## Results (median, spread min–max; the ratio's spread is over rounds, each Cachalot's sample"
                + " against the peer's of the same round)\n\n");
        md.append("| Workload | Metric | Peer | Cachalot | Cachalot : peer |\n|---|---|---:|---:|---:|\n");
        for (Metric metric : byWorkload()) {
            md.append("| ").append(metric.workload()).append(" | ").append(metric.name()).append(" (")
                    .append(metric.unit()).append(") | ").append(cell(metric.summary("peer"))).append(" | ")
                    .append(cell(metric.summary("cachalot"))).append(" | ")
                    .append(ratio(metric)).append(" |\n");
        }

        md.append("\n## Targets (issues 6, 13 and 16)\n\n| Target | Measured | Verdict |\n|---|---|---|\n");
        for (Targets.Check check : checks) {
            md.append("| ").append(check.target()).append(" | ").append(check.measured()).append(" | ")
                    .append(check.verdict()).append(" |\n");
        }
        if (!results.notes().isEmpty()) {
            md.append("\n## Notes\n\n");
            results.notes().forEach(n -> md.append("- ").append(n.replace("\n", " ")).append('\n'));
        }
        return md.toString();
    }

    Map<String, Object> json() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("date", date.toString());
        root.put("machine", machine);
        Map<String, Object> sizes = new LinkedHashMap<>();
        sizes.put("blobMib", config.blobMib());
        sizes.put("limitsMib", config.limitsMib());
        sizes.put("rounds", config.rounds());
        sizes.put("warmups", config.warmups());
        sizes.put("manifestMillis", config.manifestMillis());
        sizes.put("manifestClients", config.manifestClients());
        sizes.put("skopeoLayers", config.skopeoLayers());
        sizes.put("rssStreams", config.rssStreams());
        sizes.put("fullManifests", config.fullManifests());
        sizes.put("subjects", config.subjects());
        root.put("config", sizes);
        root.put("limits", results.limits());
        List<Map<String, Object>> metrics = new ArrayList<>();
        for (Metric metric : byWorkload()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("workload", metric.workload());
            m.put("metric", metric.name());
            m.put("unit", metric.unit());
            m.put("higherIsBetter", metric.higherIsBetter());
            for (String subject : List.of("peer", "cachalot")) {
                metric.summary(subject).ifPresent(s -> m.put(subject, s));
            }
            m.put("ratio", metric.ratio().orElse(null));
            m.put("ratioSpread", metric.ratioSpread().orElse(null));
            m.put("samples", metric.samples());
            metrics.add(m);
        }
        root.put("metrics", metrics);
        root.put("targets", checks);
        root.put("methods", results.methods());
        root.put("notes", results.notes());
        return root;
    }

    /** Writes {@code latest.md} and {@code latest.json} into {@code folder}. */
    void write(Path folder) {
        try {
            Files.createDirectories(folder);
            Files.writeString(folder.resolve("latest.md"), markdown(), StandardCharsets.UTF_8);
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValue(folder.resolve("latest.json").toFile(), json());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Metrics in workload order (1 to 7); within a workload, in the order they were first measured. */
    private List<Metric> byWorkload() {
        List<Metric> sorted = new ArrayList<>(results.metrics());
        sorted.sort(java.util.Comparator.comparing(m -> m.workload().charAt(0)));
        return sorted;
    }

    private static String ratio(Metric metric) {
        return metric.ratio().map(r -> f(r) + "x" + metric.ratioSpread()
                .filter(spread -> spread[0] != spread[1])
                .map(spread -> " (" + f(spread[0]) + "–" + f(spread[1]) + ")").orElse("")).orElse("-");
    }

    private static String cell(Optional<Metric.Summary> summary) {
        return summary.map(s -> s.rounds() == 1 ? f(s.median())
                : f(s.median()) + " (" + f(s.min()) + "–" + f(s.max()) + ")").orElse("-");
    }

    private static String f(double value) {
        return Targets.format(value);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Report[%s, %d metrics]", date, results.metrics().size());
    }
}
