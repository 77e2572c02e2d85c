package dev.cachalot.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Issue 6's targets (ratios Cachalot : peer of medians from the same run, plus a few absolute bounds), checked
 * against a run's results. A target whose numbers are missing (a workload skipped or failed) is reported as
 * not measured, never as passed.
 */
final class Targets {
    static final double RSS_LIMIT_MIB = 512;
    static final double START_LIMIT_MS = 1500;
    /** Peak RSS counts as flat in blob size when 4x the blob costs at most this factor more memory. */
    static final double RSS_FLATNESS = 1.25;
    /** Issue 13: with the upstream hung and hundreds of pulls waiting on it, content on disk is served within this. */
    static final double HUNG_DIGEST_P99_MS = 1000;

    /** One target: what it asks, what was measured, and whether it passed ({@code null}: not measured). */
    record Check(String target, String measured, Boolean passed) {
        String verdict() {
            return passed == null ? "not measured" : passed ? "pass" : "FAIL";
        }
    }

    private Targets() {
    }

    static List<Check> evaluate(Results results, BenchConfig config) {
        List<Check> checks = new ArrayList<>();
        MachineLimits limits = results.limits();

        Optional<Metric> warm = results.find(Workloads.WARM_BLOB, "throughput");
        checks.add(ratioAtLeast("Warm blob throughput >= 1.5x peer", warm, 1.5));
        checks.add(fractionOfLimit("Warm blob throughput >= 50% of loopback socket", warm,
                limits == null ? null : limits.loopbackMiBps(), 0.5));

        Optional<Metric> cold = results.find(Workloads.COLD_BLOB, "throughput");
        checks.add(ratioAtLeast("Cold blob throughput >= 1.2x peer", cold, 1.2));
        checks.add(fractionOfLimit("Cold blob throughput >= 80% of SHA-256 ceiling", cold,
                limits == null ? null : limits.sha256MiBps(), 0.8));
        checks.add(ratioAtMost("Cold blob time to first byte <= peer", results.find(Workloads.COLD_BLOB,
                "time to first byte"), 1.0));

        Optional<Metric> upstream = results.find(Workloads.EIGHT_COLD, "upstream bytes / blob size");
        checks.add(upstream.flatMap(m -> m.summary("cachalot"))
                .map(s -> new Check("Eight cold clients: upstream bytes = 1.0x blob",
                        format(s.max()) + "x (worst round)", Math.abs(s.max() - 1.0) < 0.01))
                .orElse(missing("Eight cold clients: upstream bytes = 1.0x blob")));

        for (String method : List.of("GET", "HEAD")) {
            for (int clients : config.manifestClients()) {
                String workload = Workloads.manifestWorkload(method, "digest", clients);
                String cell = "Manifest " + method + " by digest, " + clients + (clients == 1 ? " client" : " clients");
                checks.add(ratioAtLeast(cell + ": req/s >= 1.0x peer", results.find(workload, "requests/s"), 1.0));
                checks.add(ratioAtMost(cell + ": p99 <= 1.0x peer", results.find(workload, "p99"), 1.0));
            }
        }

        Optional<Metric> rssBig = results.find(Workloads.PEAK_RSS, Workloads.rssName(config.blobMib()));
        Optional<Metric> rssSmall = results.find(Workloads.PEAK_RSS, Workloads.rssName(config.smallBlobMib()));
        checks.add(rssBig.flatMap(m -> m.summary("cachalot"))
                .map(s -> new Check("Peak RSS, " + config.rssStreams() + " warm streams <= 512 MiB",
                        format(s.max()) + " MiB", s.max() <= RSS_LIMIT_MIB))
                .orElse(missing("Peak RSS, " + config.rssStreams() + " warm streams <= 512 MiB")));
        Optional<Metric.Summary> big = rssBig.flatMap(m -> m.summary("cachalot"));
        Optional<Metric.Summary> small = rssSmall.flatMap(m -> m.summary("cachalot"));
        checks.add(big.isPresent() && small.isPresent()
                ? new Check("Peak RSS flat in blob size (" + config.smallBlobMib() + " -> " + config.blobMib()
                        + " MiB: <= " + RSS_FLATNESS + "x)",
                        format(small.get().max()) + " -> " + format(big.get().max()) + " MiB",
                        big.get().max() <= small.get().max() * RSS_FLATNESS)
                : missing("Peak RSS flat in blob size"));

        Optional<Metric> full = results.find(Workloads.START, Workloads.startFullName(config.fullManifests()));
        checks.add(full.flatMap(m -> m.summary("cachalot"))
                .map(s -> new Check("Start to ready <= 1.5 s with " + config.fullManifests() + " cached manifests",
                        format(s.median()) + " ms", s.median() <= START_LIMIT_MS))
                .orElse(missing("Start to ready <= 1.5 s with " + config.fullManifests() + " cached manifests")));

        String hung = "Hung upstream, " + config.hungClients() + " tag pulls waiting: cached digest p99 < 1 s, none failed";
        Optional<Metric.Summary> hungP99 = results.find(HungUpstreamLoad.WORKLOAD, "cached digest p99")
                .flatMap(m -> m.summary("cachalot"));
        Optional<Metric.Summary> hungFailed = results.find(HungUpstreamLoad.WORKLOAD, "cached digest requests failed")
                .flatMap(m -> m.summary("cachalot"));
        checks.add(hungP99.isPresent() && hungFailed.isPresent()
                ? new Check(hung, format(hungP99.get().max()) + " ms, " + format(hungFailed.get().max()) + " failed",
                        hungP99.get().max() < HUNG_DIGEST_P99_MS && hungFailed.get().max() == 0)
                : missing(hung));
        // Issue 16
        checks.add(cachalotAtMost("Issue 16: cold blob, Cachalot CPU until stored <= 1.5 s per GiB",
                results.find(Workloads.COLD_BLOB, "subject CPU until stored, per GiB"), 1.5, " s"));
        checks.add(ratioAtLeast("Issue 16: cold blob throughput >= 1.0x peer", cold, 1.0));
        checks.add(cachalotAtMost("Issue 16: first blob after start, time to first byte <= 100 ms",
                results.find(Workloads.COLD_BLOB, Workloads.FIRST_AFTER_START), 100, " ms"));
        checks.add(cachalotAtMost("Issue 16: start to ready <= 500 ms with " + config.fullManifests() + " manifests",
                full, 500, " ms"));
        checks.add(ratioAtMost("Issue 16: peak RSS, " + config.rssStreams() + " warm " + config.blobMib()
                + " MiB streams <= 2x peer", rssBig, 2.0));
        Optional<Metric.Summary> atStart = results.find(Workloads.PEAK_RSS, Workloads.START_RSS)
                .flatMap(m -> m.summary("cachalot"));
        Optional<Metric.Summary> idle = results.find(Workloads.PEAK_RSS, Workloads.IDLE_RSS)
                .flatMap(m -> m.summary("cachalot"));
        String idleTarget = "Issue 16: idle RSS after load <= 1.25x RSS right after start";
        checks.add(atStart.isPresent() && idle.isPresent()
                ? new Check(idleTarget, format(atStart.get().median()) + " -> " + format(idle.get().median()) + " MiB",
                        idle.get().median() <= atStart.get().median() * 1.25)
                : missing(idleTarget));
        return checks;
    }

    private static Check cachalotAtMost(String target, Optional<Metric> metric, double maximum, String unit) {
        return metric.flatMap(m -> m.summary("cachalot"))
                .map(s -> new Check(target, format(s.median()) + unit + " (" + format(s.min()) + "–" + format(s.max())
                        + ")", s.median() <= maximum))
                .orElse(missing(target));
    }

    private static Check ratioAtLeast(String target, Optional<Metric> metric, double minimum) {
        return metric.flatMap(Metric::ratio)
                .map(r -> new Check(target, format(r) + "x", r >= minimum))
                .orElse(missing(target));
    }

    private static Check ratioAtMost(String target, Optional<Metric> metric, double maximum) {
        return metric.flatMap(Metric::ratio)
                .map(r -> new Check(target, format(r) + "x", r <= maximum))
                .orElse(missing(target));
    }

    private static Check fractionOfLimit(String target, Optional<Metric> metric, Double limit, double fraction) {
        if (limit == null || limit <= 0) {
            return missing(target);
        }
        return metric.flatMap(m -> m.summary("cachalot"))
                .map(s -> new Check(target, String.format(Locale.ROOT, "%.0f%% (%s of %s MiB/s)",
                        100 * s.median() / limit, format(s.median()), format(limit)), s.median() >= fraction * limit))
                .orElse(missing(target));
    }

    private static Check missing(String target) {
        return new Check(target, "-", null);
    }

    static String format(double value) {
        if (Math.abs(value) >= 100) {
            return String.format(Locale.ROOT, "%.0f", value);
        }
        if (Math.abs(value) >= 10) {
            return String.format(Locale.ROOT, "%.1f", value);
        }
        return String.format(Locale.ROOT, "%.2f", value);
    }
}
