package dev.cachalot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cachalot.testing.Ports;
import dev.cachalot.testing.Processes;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.RegistryReader;
import dev.cachalot.testing.TestBlob;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a {@code cachalot serve} confirmed with a 201 is there after the process is killed with SIGKILL right after the
 * answer (kill -9, the OOM killer, a crash): a pushed manifest under its tag and a rule created through the management
 * API. The engine gets no chance to write anything after the answer, so the metadata database must have put the commit
 * in its file before the answer went out (docs/decisions/0030-durable-commits.md).
 */
class ConfirmedWritesSurviveKillTest {
    /** Hang guards only: a JVM start on a loaded two-core machine can take a while. */
    private static final Duration START_LIMIT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;
    private final ManagementApiCalls api = new ManagementApiCalls(Duration.ofSeconds(2), Duration.ofSeconds(30));
    private Process serve;

    @AfterEach
    void stop() {
        if (serve != null) Processes.stop(serve, Duration.ofSeconds(30));
    }

    @Test
    void aPushedManifestAndACreatedRuleAnsweredWith201SurviveASigkillRightAfterTheAnswer() throws Exception {
        Path data = temp.resolve("data");
        int first = Ports.free();
        serve = startServe(data, first, "first");
        TestImage image = new TestImages(3030).ociImage();
        RegistryPusher pusher = new RegistryPusher("http://127.0.0.1:" + first);
        for (TestBlob blob : image.blobs()) {
            pusher.pushBlob("team/app", blob);
        }

        // A custom upstream on loopback that nothing listens on: the rule needs one, and nothing is pulled through it.
        String upstream = "127.0.0.1:" + Ports.free();
        HttpResponse<String> added = send(first, "POST", "/upstreams",
                "{\"loginServer\":\"" + upstream + "\",\"endpoint\":\"http://" + upstream + "\"}");
        assertThat(added.statusCode()).as(added.body()).isEqualTo(201);

        // The two confirmations come last and back to back, so the kill lands within a few milliseconds of both.
        HttpResponse<String> created = send(first, "POST", "/rules",
                "{\"name\":\"app-cache\",\"sourceRepository\":\"" + upstream + "/team/app\",\"targetRepository\":\"cached/app\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        pusher.pushManifest("team/app", "1", image); // asserts the 201
        serve.destroyForcibly(); // SIGKILL: no shutdown hook, no close, no background writer gets another turn
        assertThat(serve.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(serve.exitValue()).as("killed by SIGKILL").isEqualTo(137);

        int second = Ports.free();
        serve = startServe(data, second, "second");
        RegistryReader.Fetched manifest = new RegistryReader("http://127.0.0.1:" + second)
                .manifest("team/app", "1", TestImages.ACCEPT_ALL_MANIFESTS);
        HttpResponse<String> rule = send(second, "GET", "/rules/app-cache", null);

        // Both checked, whichever fails: each is a write the client was told had landed.
        SoftAssertions.assertSoftly(softly -> {
            softly.assertThat(manifest.status()).as("the pushed manifest after the kill: %s", manifest.text()).isEqualTo(200);
            if (manifest.status() == 200) {
                softly.assertThat(manifest.body()).isEqualTo(image.manifest());
                softly.assertThat(manifest.digestHeader()).isEqualTo(image.digest());
            }
            softly.assertThat(rule.statusCode()).as("the created rule after the kill: %s", rule.body()).isEqualTo(200);
            if (rule.statusCode() == 200) {
                softly.assertThat(targetRepository(rule)).isEqualTo("cached/app");
            }
        });
    }

    private static String targetRepository(HttpResponse<String> rule) {
        try {
            return JSON.readTree(rule.body()).path("targetRepository").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private HttpResponse<String> send(int port, String method, String path, String body) {
        return api.send(port, method, path, body);
    }

    /** {@code cachalot serve} in a child JVM, once it answers. */
    private Process startServe(Path data, int port, String label) throws Exception {
        return api.startServe(data, port, temp.resolve("serve-" + label + ".log"), "/rules", START_LIMIT);
    }
}
