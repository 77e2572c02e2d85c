package dev.cachalot.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.Ports;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.Skopeo;
import dev.cachalot.testing.TestBlob;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cachalot serve} as users run it: a child JVM in the foreground, while CLI commands in this JVM change and
 * read the same data folder (H2's AUTO_SERVER shares the database between the processes). One child serves the whole
 * class; the last test stops it with SIGTERM.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServeProcessTest {
    /** Hang guards only: a JVM start on a loaded two-core machine can take a while. */
    private static final Duration START_LIMIT = Duration.ofSeconds(90);
    private static final Duration PICK_UP_LIMIT = Duration.ofSeconds(20);
    private static final Duration STOP_LIMIT = Duration.ofSeconds(60);

    @TempDir
    static Path temp;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private DockerRegistryFixture upstream;
    private Path data;
    private Cli cli;
    private ChildServe serve;

    /** A {@code serve} child process with its stdout and stderr in files. */
    private record ChildServe(Process process, Path stdout, Path stderr, int port) {
        String output() {
            try {
                return "stdout:\n" + Files.readString(stdout) + "\nstderr:\n" + Files.readString(stderr);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String stderrText() {
            try {
                return Files.readString(stderr);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @BeforeAll
    void startServeInAChildJvm() throws Exception {
        upstream = DockerRegistryFixture.start();
        data = temp.resolve("data");
        cli = new Cli(data);
        serve = startServe("first", Ports.free());
        awaitRegistry(serve);
    }

    @AfterAll
    void stopEverything() {
        if (serve != null && serve.process().isAlive()) {
            serve.process().destroyForcibly();
        }
        if (upstream != null) upstream.close();
    }

    @Test
    @Order(1)
    void aRuleCreatedByTheCliInAnotherProcessIsServedAndItsPullIsCounted() {
        TestImage image = new TestImages(11).ociImage();
        new RegistryPusher(upstream.url()).push("svc/app", "1", image);

        cli.run("upstream", "add", "--login-server", upstream.hostPort(), "--endpoint", upstream.url()).succeeded();
        cli.run("rules", "create", "--name", "svc-cache", "--source", upstream.hostPort() + "/svc/*", "--target", "svc/*").succeeded();

        // Read your writes across processes (docs/decisions/0003): the very next request after the command returned
        // uses the rule, no waiting. A tag list is not a pull, so asking for it leaves the pull statistics alone.
        assertThat(get(serve.port(), "/v2/svc/app/tags/list").statusCode()).as("right after rules create").isEqualTo(200);
        Path copy = temp.resolve("svc-app");
        new Skopeo().copy("127.0.0.1:" + serve.port() + "/svc/app:1", copy);
        Skopeo.CopiedImage pulled = Skopeo.read(copy).verified();
        assertThat(pulled.manifestDigest()).isEqualTo(image.digest());
        assertThat(pulled.blobDigests()).containsExactlyInAnyOrderElementsOf(image.blobs().stream().map(TestBlob::digest).toList());

        // The child records pull events in the background.
        await().atMost(PICK_UP_LIMIT).untilAsserted(() -> {
            JsonNode repo = find(cli.run("repos", "list", "--json").succeeded().json(), "name", "svc/app");
            assertThat(repo.get("cached").asBoolean()).isTrue();
            assertThat(repo.get("ruleName").asText()).isEqualTo("svc-cache");
            assertThat(repo.get("pullCount").asLong()).isEqualTo(1);
        });
        JsonNode stats = cli.run("stats", "--json").succeeded().json();
        JsonNode repoStats = find(stats.get("repositories"), "repository", "svc/app");
        assertThat(repoStats.get("pulls").asLong()).isEqualTo(1);
        assertThat(repoStats.get("misses").asLong()).isEqualTo(1);
        assertThat(repoStats.get("upstreamBytes").asLong()).isPositive();
        assertThat(stats.get("totals").get("pulls").asLong()).isEqualTo(1);
    }

    @Test
    @Order(2)
    void aSecondServeOnTheSameDataFolderFailsWithAlreadyServing() throws Exception {
        ChildServe second = startServe("second", Ports.free());
        try {
            assertThat(second.process().waitFor(START_LIMIT.toSeconds(), TimeUnit.SECONDS))
                    .as("second serve should refuse and exit; %s", second.output()).isTrue();
            assertThat(second.process().exitValue()).as(second.output()).isEqualTo(1);
            assertThat(second.stderrText().lines().filter(l -> l.startsWith("cachalot: ")).toList()).as(second.output())
                    .singleElement().satisfies(line -> assertThat(line)
                            .contains("another Cachalot engine (pid " + serve.process().pid() + ")", "is already serving the data folder"));
        } finally {
            second.process().destroyForcibly();
        }
        assertThat(get(serve.port(), "/v2/").statusCode()).as("the first serve keeps serving").isEqualTo(200);
    }

    @Test
    @Order(3)
    void sigtermStopsTheServerCleanly() throws Exception {
        serve.process().destroy(); // SIGTERM

        assertThat(serve.process().waitFor(STOP_LIMIT.toSeconds(), TimeUnit.SECONDS)).as("serve should stop on SIGTERM").isTrue();
        assertThat(serve.process().exitValue()).as(serve.output()).isIn(0, 143);
        assertThat(serve.stderrText()).as(serve.output()).contains("Stopping Cachalot");
        assertThat(Files.readString(data.resolve("engine.lock"))).as("the serving lock is released").isEmpty();
        assertThat(cli.run("rules", "list", "--json").succeeded().json()).hasSize(1);
    }

    // ------------------------------------------------------------------ helpers

    private ChildServe startServe(String label, int port) throws IOException {
        Path stdout = temp.resolve("serve-" + label + ".out");
        Path stderr = temp.resolve("serve-" + label + ".err");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-cp", System.getProperty("java.class.path"),
                "dev.cachalot.Main",
                "--data", data.toString(),
                "serve", "--listen", "127.0.0.1:" + port));
        Process process = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        return new ChildServe(process, stdout, stderr, port);
    }

    private void awaitRegistry(ChildServe child) throws Exception {
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        while (true) {
            if (!child.process().isAlive()) {
                throw new AssertionError("serve exited with " + child.process().exitValue() + " before answering\n" + child.output());
            }
            try {
                if (get(child.port(), "/v2/").statusCode() == 200) {
                    assertThat(Files.readString(child.stdout())).contains("Cachalot serving on http://127.0.0.1:" + child.port());
                    return;
                }
            } catch (UncheckedIOException e) {
                if (!(e.getCause() instanceof ConnectException)) throw e;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("serve did not answer GET /v2/ within " + START_LIMIT + "\n" + child.output());
            }
            Thread.sleep(200);
        }
    }

    private HttpResponse<String> get(int port, String path) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30)).build();
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static JsonNode find(JsonNode array, String field, String value) {
        return StreamSupport.stream(array.spliterator(), false).filter(n -> value.equals(n.path(field).asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no element with " + field + "=" + value + " in " + array));
    }
}
