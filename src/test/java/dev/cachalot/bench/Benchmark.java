package dev.cachalot.bench;

import dev.cachalot.testing.TempDirs;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One side-by-side run: machine limits, an upstream seeded with generated images, the peer and Cachalot in
 * front of it, the seven workloads, then everything stopped by PID and deleted.
 */
final class Benchmark {
    private Benchmark() {
    }

    static Report run(BenchConfig config) {
        Results results = new Results();
        Path scratch = TempDirs.create("cachalot-bench-");
        List<Subject> subjects = new ArrayList<>();
        try {
            long preTouch = config.preTouchMibResolved();
            log("measuring machine limits (" + config.limitsMib() + " MiB each), touching " + preTouch
                    + " MiB of memory once between the two file writes");
            results.limits(MachineLimits.measure(config.limitsMib(), preTouch, scratch));
            log("seeding the upstream (" + config.blobMib() + " MiB layer, " + config.fullManifests() + " manifests)");
            try (BenchUpstream upstream = BenchUpstream.start(config)) {
                if (config.runs("peer")) {
                    subjects.add(new PeerSubject(upstream.url()));
                }
                if (config.runs("cachalot")) {
                    try {
                        config.appImage().ifPresentOrElse(ClassDataSharing::trainAppImage,
                                () -> ClassDataSharing.train(config.launcher()));
                    } catch (RuntimeException e) {
                        results.note("cachalot runs without its class-data-sharing archive: " + firstLine(e));
                    }
                    try {
                        subjects.add(new CachalotSubject(config.launcher(), upstream.hostPort()));
                    } catch (RuntimeException e) {
                        results.note("cachalot could not be set up (upstream add / rules create): " + firstLine(e));
                    }
                }
                log("running workloads against " + subjects.stream().map(Subject::name).toList());
                new Workloads(config, results, upstream, subjects).runAll();
            } finally {
                subjects.forEach(Subject::close);
            }
        } finally {
            TempDirs.deleteQuietly(scratch);
        }
        return new Report(config, results, MachineShape.current(), Instant.now());
    }

    private static String firstLine(Throwable e) {
        String message = String.valueOf(e.getMessage());
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline) + " " + message.substring(newline + 1).strip();
    }

    static void log(String message) {
        System.err.println("[bench] " + message);
    }
}
