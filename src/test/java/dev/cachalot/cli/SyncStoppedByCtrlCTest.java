package dev.cachalot.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cachalot.testing.CountingProxy;
import dev.cachalot.testing.Ports;
import dev.cachalot.testing.Processes;
import dev.cachalot.testing.TestBlob;
import dev.cachalot.testing.TestImage;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C on {@code cachalot rules sync} stops the run at its next step: the step under way finishes (the blob it
 * fetches is stored without error), the run's outcome is stored as cancelled and its report printed, and only then
 * does the process exit, with 130. All of it writes to the database, which H2 closes in a JVM shutdown hook of its
 * own: the stop must be over before the JVM's shutdown begins (docs/decisions/0032-graceful-stop.md).
 */
class SyncStoppedByCtrlCTest {
    /** Hang guards only: a JVM start on a loaded two-core machine can take a while. */
    private static final Duration START_LIMIT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;
    private final ManagementApiCalls api = new ManagementApiCalls(Duration.ofSeconds(2), Duration.ofSeconds(30));
    private SlowSyncUpstream upstream;
    private Process sync;
    private Process serve;

    @AfterEach
    void stop() {
        if (sync != null) Processes.stop(sync, Duration.ofSeconds(30));
        if (serve != null) Processes.stop(serve, Duration.ofSeconds(30));
        if (upstream != null) upstream.close();
    }

    @Test
    void ctrlCStopsTheRunAtItsNextStepAndItsOutcomeIsStoredBeforeTheProcessExits() throws Exception {
        Path data = temp.resolve("data");
        // The first blob is held long enough for the signal to arrive while the run waits for it; the run sees the
        // cancel once that step is over (a step is never cut in half).
        upstream = SlowSyncUpstream.start(2727, Duration.ofSeconds(5), data);
        TestImage image = upstream.image();
        CountingProxy slowUpstream = upstream.proxy();

        Path out = temp.resolve("sync.out");
        Path err = temp.resolve("sync.err");
        sync = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), "dev.cachalot.Main", "--data", data.toString(),
                "rules", "sync", "app-sync")
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        List<String> blobPaths = image.blobs().stream().map(TestBlob::digest).map(d -> "/v2/team/app/blobs/" + d).toList();
        await().atMost(START_LIMIT).until(() -> !sync.isAlive()
                || blobPaths.stream().mapToLong(p -> slowUpstream.count("GET", p)).sum() > 0);
        assertThat(sync.isAlive()).as("the sync is running: %s", Files.readString(err)).isTrue();

        Processes.signal(sync, "INT"); // as a terminal's Ctrl-C sends it
        assertThat(sync.waitFor(60, TimeUnit.SECONDS)).as("rules sync stops on Ctrl-C").isTrue();
        String printed = Files.readString(out);
        String complained = Files.readString(err);

        int port = Ports.free();
        serve = api.startServe(data, port, temp.resolve("serve.log"), "/rules/sync", START_LIMIT);
        HttpResponse<String> response = api.send(port, "GET", "/rules/sync", null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode status = JSON.readTree(response.body()).path("app-sync");

        // All checked, whichever fails: together they tell what the stop lost.
        SoftAssertions.assertSoftly(softly -> {
            softly.assertThat(sync.exitValue()).as("exit status after Ctrl-C\n%s\n%s", printed, complained).isEqualTo(130);
            softly.assertThat(printed).as("the report").contains("Synced rule app-sync", "stopped before the end");
            softly.assertThat(complained).as("stderr").contains("cachalot: sync of rule app-sync was stopped before the end")
                    .doesNotContain("already closed");
            softly.assertThat(status.path("lastOutcome").asText()).as("the run's outcome: %s", status).isEqualTo("CANCELLED");
        });
    }
}
