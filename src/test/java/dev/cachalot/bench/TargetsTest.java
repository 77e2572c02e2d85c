package dev.cachalot.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TargetsTest {
    private final BenchConfig config = BenchConfig.parse("--manifest-clients", "1", "--full-manifests", "100");

    @Test
    void summarisesSamplesAsMedianAndSpread() {
        Metric metric = new Metric("1 warm blob", "throughput", "MiB/s", true);
        List.of(300.0, 100.0, 200.0, 900.0).forEach(v -> metric.add("peer", v));

        Metric.Summary summary = metric.summary("peer").orElseThrow();

        assertThat(summary.median()).isEqualTo(250.0);
        assertThat(summary.min()).isEqualTo(100.0);
        assertThat(summary.max()).isEqualTo(900.0);
        assertThat(summary.rounds()).isEqualTo(4);
    }

    @Test
    void passesWarmThroughputOnlyFromOneAndAHalfTimesThePeer() {
        assertThat(warmCheck(149.0).passed()).isFalse();
        assertThat(warmCheck(150.0).passed()).isTrue();
        assertThat(warmCheck(150.0).measured()).isEqualTo("1.50x");
    }

    @Test
    void reportsATargetAsNotMeasuredWhenCachalotWasNotMeasured() {
        Results results = new Results();
        results.metric(Workloads.WARM_BLOB, "throughput", "MiB/s", true).add("peer", 100);

        Targets.Check check = check(results, "Warm blob throughput >= 1.5x peer");

        assertThat(check.passed()).isNull();
        assertThat(check.verdict()).isEqualTo("not measured");
    }

    @Test
    void failsEightColdClientsWhenAnyRoundFetchedTheBlobMoreThanOnce() {
        Results results = new Results();
        Metric upstream = results.metric(Workloads.EIGHT_COLD, "upstream bytes / blob size", "x", false);
        upstream.add("cachalot", 1.0);
        upstream.add("cachalot", 2.0);
        upstream.add("cachalot", 1.0);

        assertThat(check(results, "Eight cold clients: upstream bytes = 1.0x blob").passed()).isFalse();
    }

    @Test
    void comparesWarmThroughputWithTheLoopbackLimit() {
        Results results = new Results();
        results.limits(new MachineLimits(1000, 5000, 300, 800, 900, 0, 0));
        results.metric(Workloads.WARM_BLOB, "throughput", "MiB/s", true).add("cachalot", 499);

        assertThat(check(results, "Warm blob throughput >= 50% of loopback socket").passed()).isFalse();
    }

    @Test
    void rejectsUnknownBenchOptions() {
        assertThatThrownBy(() -> BenchConfig.parse("--blob-size", "3")).hasMessageContaining("unknown option");
        assertThatThrownBy(() -> BenchConfig.parse("--subjects", "zot")).hasMessageContaining("--subjects");
    }

    private Targets.Check warmCheck(double cachalot) {
        Results results = new Results();
        Metric metric = results.metric(Workloads.WARM_BLOB, "throughput", "MiB/s", true);
        metric.add("peer", 100);
        metric.add("cachalot", cachalot);
        return check(results, "Warm blob throughput >= 1.5x peer");
    }

    private Targets.Check check(Results results, String target) {
        return Targets.evaluate(results, config).stream().filter(c -> c.target().equals(target)).findFirst()
                .orElseThrow();
    }
}
