package dev.cachalot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.Ports;
import dev.cachalot.testing.Processes;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.RegistryReader;
import dev.cachalot.testing.TestBlob;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A graceful stop of {@code cachalot serve} (SIGTERM from systemd or {@code kill}, SIGINT from Ctrl-C) loses no
 * bookkeeping: the pull events still queued and the image pulls still open when the signal arrives are stored before
 * the process exits, and the next engine on the data folder counts every pull and every byte. The engine stores them as
 * it closes, so the embedded database must still be open then, while H2 closes itself in a JVM shutdown hook of its own
 * (docs/decisions/0032-graceful-stop.md). Only a kill -9 may lose the last half second (decision 0030).
 */
class GracefulStopKeepsStatisticsTest {
    /** Hang guards only: a JVM start on a loaded two-core machine can take a while. */
    private static final Duration START_LIMIT = Duration.ofSeconds(90);
    private static final Duration STOP_LIMIT = Duration.ofSeconds(60);
    private static final int PULLS = 5;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;
    private final ManagementApiCalls api = new ManagementApiCalls(Duration.ofSeconds(2), Duration.ofSeconds(30));
    private DockerRegistryFixture upstream;
    private Process serve;

    @AfterEach
    void stop() {
        if (serve != null) Processes.stop(serve, Duration.ofSeconds(30));
        if (upstream != null) upstream.close();
    }

    @ParameterizedTest(name = "SIG{0}")
    @CsvSource({"TERM, 143", "INT, 130"})
    void aStopSignalRightAfterTheLastPullStoresEveryPullBeforeTheProcessExits(String signal, int exitStatus) throws Exception {
        upstream = DockerRegistryFixture.start();
        TestImage image = new TestImages(3232).ociImage();
        new RegistryPusher(upstream.url()).push("team/app", "1", image);
        Path data = temp.resolve("data");
        Cli cli = new Cli(data);
        cli.run("upstream", "add", "--login-server", upstream.hostPort(), "--endpoint", upstream.url()).succeeded();
        cli.run("rules", "create", "--name", "app-cache", "--source", upstream.hostPort() + "/team/app", "--target", "app")
                .succeeded();

        int first = Ports.free();
        Path firstLog = temp.resolve("serve-first.log");
        serve = api.startServe(data, first, firstLog, "/rules", START_LIMIT);
        RegistryReader registry = new RegistryReader("http://127.0.0.1:" + first);
        long bytesPerPull = image.manifestSize() + image.blobs().stream().mapToLong(TestBlob::size).sum();
        // The first pull fills the cache (a miss), the others are hits; each revalidates the tag with the upstream.
        for (int i = 0; i < PULLS; i++) {
            RegistryReader.Fetched manifest = registry.manifest("app", "1", TestImages.ACCEPT_ALL_MANIFESTS);
            assertThat(manifest.status()).as(manifest.text()).isEqualTo(200);
            for (TestBlob blob : image.blobs()) {
                assertThat(registry.blob("app", blob.digest()).digest()).isEqualTo(blob.digest());
            }
        }

        // No pause: the last requests are still queued and every image pull is still open (stored 5 s after its last request).
        signal(serve, signal);
        assertThat(serve.waitFor(STOP_LIMIT.toSeconds(), TimeUnit.SECONDS)).as("serve stops on SIG%s", signal).isTrue();
        String firstOutput = Files.readString(firstLog);
        assertThat(serve.exitValue()).as("exit status after SIG%s\n%s", signal, firstOutput).isEqualTo(exitStatus);

        int second = Ports.free();
        serve = api.startServe(data, second, temp.resolve("serve-second.log"), "/rules", START_LIMIT);
        JsonNode totals = json(api.send(second, "GET", "/stats/totals", null));
        JsonNode tags = json(api.send(second, "GET", "/repository/tags?name=app", null));
        // All checked, whichever fails: together they tell what the stop lost.
        SoftAssertions.assertSoftly(softly -> {
            softly.assertThat(firstOutput).as("what the stopping engine logged")
                    .doesNotContain("Cannot store", "not stored", "already closed");
            softly.assertThat(totals.path("pulls").asLong()).as("image pulls: %s", totals).isEqualTo(PULLS);
            softly.assertThat(totals.path("misses").asLong()).as("misses: %s", totals).isEqualTo(1);
            softly.assertThat(totals.path("hits").asLong()).as("hits: %s", totals).isEqualTo(PULLS - 1);
            softly.assertThat(totals.path("bytesServed").asLong()).as("every request's bytes: %s", totals)
                    .isEqualTo(PULLS * bytesPerPull);
            softly.assertThat(tags.findValues("pullCount")).as("the tag's pull counter: %s", tags)
                    .singleElement().satisfies(count -> assertThat(count.asLong()).isEqualTo(PULLS));
        });
    }

    /** SIGTERM as systemd and {@code kill} send it; SIGINT as a terminal's Ctrl-C does. */
    private static void signal(Process process, String signal) throws Exception {
        if (signal.equals("TERM")) {
            process.destroy();
            return;
        }
        Processes.signal(process, signal);
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }
}
