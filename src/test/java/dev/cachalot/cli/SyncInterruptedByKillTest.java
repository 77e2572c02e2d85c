package dev.cachalot.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cachalot.testing.Ports;
import dev.cachalot.testing.Processes;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code cachalot serve} killed with SIGKILL in the middle of a rule's sync (its upstream holds a blob back) never
 * records the run's end. The next engine on the data folder shows that run as INTERRUPTED through the management API,
 * not as running for ever, and the rule's schedule goes on from that run's start: the scheduler runs it when due.
 */
class SyncInterruptedByKillTest {
    /** Hang guards only: a JVM start on a loaded two-core machine can take a while. */
    private static final Duration START_LIMIT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;
    private final ManagementApiCalls api = new ManagementApiCalls(Duration.ofSeconds(2), Duration.ofSeconds(30));
    private SlowSyncUpstream upstream;
    private Process serve;

    @AfterEach
    void stop() {
        if (serve != null) Processes.stop(serve, Duration.ofSeconds(30));
        if (upstream != null) upstream.close();
    }

    @Test
    void aRunWhoseEngineWasKilledShowsAsInterruptedAndTheScheduleGoesOn() throws Exception {
        Path data = temp.resolve("data");
        upstream = SlowSyncUpstream.start(2626, Duration.ofMinutes(3), data);

        int first = Ports.free();
        serve = startServe(data, first, "first");
        HttpResponse<String> started = send(first, "POST", "/rules/app-sync/sync", "{}");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonNode status = status(first);
            assertThat(status.path("lastOutcome").asText()).isEqualTo("RUNNING");
            assertThat(status.path("running").isObject()).as("progress of the run in that engine").isTrue();
        });
        // No pause before the kill: the run's row was committed, and a commit is in the file before it returns (0030).
        long killedPid = serve.pid();
        Instant killedRunStart = Instant.parse(status(first).path("lastStartedAt").asText());

        serve.destroyForcibly(); // SIGKILL: nothing in the process runs any more, no shutdown hook, no last write
        assertThat(serve.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(serve.exitValue()).as("killed by SIGKILL").isEqualTo(137);

        int second = Ports.free();
        serve = startServe(data, second, "second");
        JsonNode after = status(second);

        assertThat(after.path("lastOutcome").asText()).as(after.toString()).isEqualTo("INTERRUPTED");
        assertThat(after.path("lastSummary").asText()).isEqualTo("the engine running it stopped during the run (pid " + killedPid + ")");
        assertThat(Instant.parse(after.path("lastStartedAt").asText())).isEqualTo(killedRunStart);
        assertThat(after.path("lastFinishedAt").isNull()).as("its end is unknown").isTrue();
        assertThat(after.path("running").isNull()).isTrue();

        // Active every minute: due a minute after the interrupted run's start, and the scheduler alone runs it.
        Cli.runRaw("--engine", "http://127.0.0.1:" + second, "rules", "update", "app-sync", "--sync", "active", "--sync-interval", "1m")
                .succeeded();
        assertThat(Instant.parse(status(second).path("nextRunAt").asText())).isEqualTo(killedRunStart.plus(Duration.ofMinutes(1)));
        await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
            JsonNode status = status(second);
            assertThat(status.path("lastOutcome").asText()).as(status.toString()).isEqualTo("SUCCEEDED");
            assertThat(Instant.parse(status.path("lastStartedAt").asText())).isAfter(killedRunStart);
        });
    }

    private JsonNode status(int port) throws IOException {
        HttpResponse<String> response = send(port, "GET", "/rules/sync", null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body()).path("app-sync");
    }

    private HttpResponse<String> send(int port, String method, String path, String body) {
        return api.send(port, method, path, body);
    }

    /** {@code cachalot serve} in a child JVM, once it answers. */
    private Process startServe(Path data, int port, String label) throws Exception {
        return api.startServe(data, port, temp.resolve("serve-" + label + ".log"), "/rules/sync", START_LIMIT, "-Dcachalot.sync.schedulerTickSeconds=1");
    }
}
