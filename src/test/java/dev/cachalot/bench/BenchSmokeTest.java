package dev.cachalot.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cachalot.testing.RunsAlone;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps the benchmark harness from rotting: the whole run (limits, upstream seeding, the peer, Cachalot as its
 * own process, all eight workloads, the reports) with tiny sizes. Asserts that everything was measured on both
 * sides, never how fast (speed belongs to the benchmark itself).
 */
@RunsAlone
class BenchSmokeTest {

    @Test
    void measuresEveryWorkloadOnPeerAndCachalotAndWritesBothReports(@TempDir Path output) throws Exception {
        // Cachalot from this build's class path, so the smoke test needs no packaged jar
        List<String> launcher = List.of(BenchConfig.javaBinary(), "-cp", System.getProperty("java.class.path"),
                "dev.cachalot.Main");
        BenchConfig config = new BenchConfig(2, 2, 1, 0, 150, List.of(1, 4), 2, 2, 5,
                List.of("peer", "cachalot"), launcher, output, List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 4, 16);

        Report report = Benchmark.run(config);
        report.write(output);

        // A registry failing cached pulls while the upstream hangs is a finding of workload 10, not a harness failure.
        assertThat(report.results().notes()).as("failures noted during the run")
                .filteredOn(note -> !note.contains("failed cached digest requests")).isEmpty();
        assertThat(report.results().methods()).as("the memory touched again before each running cold fetch")
                .anyMatch(line -> line.contains("cold fetch") && line.contains("touched 16 MiB"));
        assertThat(report.results().metrics()).extracting(m -> m.workload().substring(0, m.workload().indexOf(' ')))
                .contains("1", "2", "3", "4", "5", "6", "7", "8", "9", "10");
        assertThat(report.results().metrics()).allSatisfy(metric -> {
            // Cachalot-only lines: the /metrics cost, and the Java heap (the peer is a Go process)
            if (!metric.workload().equals(Workloads.METRICS_COST) && !metric.name().equals(Workloads.IDLE_HEAP)) {
                assertThat(metric.summary("peer")).as("peer: " + metric.key()).isPresent();
            }
            assertThat(metric.summary("cachalot")).as("cachalot: " + metric.key()).isPresent();
        });
        assertThat(report.results().find(Workloads.PEAK_RSS, Workloads.IDLE_HEAP).flatMap(m -> m.summary("cachalot")))
                .as("Cachalot's heap at idle").hasValueSatisfying(heap -> assertThat(heap.median()).isPositive());
        assertThat(report.checks()).allSatisfy(check -> assertThat(check.passed()).as(check.target()).isNotNull());

        JsonNode json = new ObjectMapper().readTree(output.resolve("latest.json").toFile());
        assertThat(json.get("metrics").size()).isEqualTo(report.results().metrics().size());
        assertThat(json.get("limits").get("sha256MiBps").asDouble()).isPositive();
        assertThat(json.get("machine").get("processors").asInt()).isPositive();
        assertThat(Files.readString(output.resolve("latest.md")))
                .contains("| " + Workloads.WARM_BLOB + " | throughput (MiB/s) |")
                .contains("## Targets (issues 6, 13 and 16)");
    }
}
