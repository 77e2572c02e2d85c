package dev.cachalot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cachalot.engine.Engine;
import dev.cachalot.engine.EngineSettings;
import dev.cachalot.stats.StatsTotals;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.testing.Ports;
import dev.cachalot.testing.Processes;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.RegistryReader;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to the desktop app (a logout, {@code kill}, a service manager) closes it as closing its window does: its
 * engine stores the pulls it served before the process exits, with 143. The app runs in a child JVM on JavaFX's
 * headless Monocle platform, as the UI tests do; its registry listens on the address its settings hold
 * (docs/decisions/0032-graceful-stop.md).
 */
class DesktopAppStopTest {
    /** Hang guards only: a JVM start on a loaded two-core machine can take a while. */
    private static final Duration START_LIMIT = Duration.ofSeconds(90);
    private static final int PULLS = 3;

    @TempDir
    Path temp;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process app;

    @AfterEach
    void stop() {
        if (app != null) Processes.stop(app, Duration.ofSeconds(30));
    }

    @Test
    void sigtermStoresThePullsTheAppServedBeforeTheProcessExits() throws Exception {
        Path data = temp.resolve("data");
        int port = Ports.free();
        try (Engine engine = Engine.open(new DataFolder(data))) {
            EngineSettings settings = engine.settings();
            engine.updateSettings(new EngineSettings("127.0.0.1:" + port, settings.defaultFreshness(), settings.maxCacheBytes()));
        }
        Path log = temp.resolve("app.log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-Dglass.platform=Monocle", "-Dmonocle.platform=Headless", "-Dprism.order=sw", "-Dprism.text=t2k",
                "-cp", System.getProperty("java.class.path"), "dev.cachalot.Main")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("CACHALOT_DATA", data.toString());
        app = builder.start();
        await().atMost(START_LIMIT).until(() -> !app.isAlive() || answers(port));
        assertThat(app.isAlive()).as("the app serves: %s", Files.readString(log)).isTrue();

        TestImage image = new TestImages(3434).ociImage();
        String registry = "http://127.0.0.1:" + port;
        new RegistryPusher(registry).push("team/app", "1", image);
        RegistryReader reader = new RegistryReader(registry);
        for (int i = 0; i < PULLS; i++) {
            RegistryReader.Fetched manifest = reader.manifest("team/app", "1", TestImages.ACCEPT_ALL_MANIFESTS);
            assertThat(manifest.status()).as(manifest.text()).isEqualTo(200);
        }

        app.destroy(); // SIGTERM right after the last answer: its pull is still open, its request still queued
        assertThat(app.waitFor(60, TimeUnit.SECONDS)).as("the app stops on SIGTERM").isTrue();
        assertThat(app.exitValue()).as("exit status after SIGTERM\n%s", Files.readString(log)).isEqualTo(143);

        try (Engine engine = Engine.open(new DataFolder(data))) {
            StatsTotals totals = engine.totals(Instant.EPOCH);
            assertThat(totals.pulls()).as("image pulls: %s\n%s", totals, Files.readString(log)).isEqualTo(PULLS);
            assertThat(totals.bytesServed()).as("every request's bytes: %s", totals).isEqualTo(PULLS * image.manifestSize());
        }
    }

    private boolean answers(int port) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/"))
                    .timeout(Duration.ofSeconds(10)).build();
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
