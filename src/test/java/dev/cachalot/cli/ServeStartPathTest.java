package dev.cachalot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.testing.Ports;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code cachalot serve} does on its way to answering {@code GET /v2/}, watched from outside: a child JVM logs
 * every class it loads. Start-up time is the benchmark's business (workload 7); this test guards the decisions behind
 * it, which a harmless-looking change (a static JSON mapper, an XML logging file) would silently undo: an idle
 * registry loads no JSON mapper, no XML logging configuration and no JMX, and logging is configured in code with
 * {@code CACHALOT_LOG_LEVEL} honoured.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServeStartPathTest {
    /** Hang guards only: a JVM start on a loaded two-core machine can take a while. */
    private static final Duration START_LIMIT = Duration.ofSeconds(90);
    private static final Duration STOP_LIMIT = Duration.ofSeconds(60);

    @TempDir
    static Path temp;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private List<String> loadedClasses;
    private String stderr;

    @BeforeAll
    void serveUntilReadyThenStop() throws Exception {
        Path classLog = temp.resolve("classes.log");
        Path out = temp.resolve("serve.out");
        Path err = temp.resolve("serve.err");
        int port = Ports.free();
        ProcessBuilder builder = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-Xlog:class+load=info:file=" + classLog,
                "-cp", System.getProperty("java.class.path"),
                "dev.cachalot.Main",
                "--data", temp.resolve("data").toString(),
                "serve", "--listen", "127.0.0.1:" + port)
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().put("CACHALOT_LOG_LEVEL", "DEBUG");
        Process serve = builder.start();
        try {
            awaitRegistry(serve, port, err);
            serve.destroy(); // SIGTERM: the class log is complete once the JVM has exited
            assertThat(serve.waitFor(STOP_LIMIT.toSeconds(), TimeUnit.SECONDS)).as("serve should stop on SIGTERM").isTrue();
        } finally {
            serve.destroyForcibly();
        }
        loadedClasses = Files.readAllLines(classLog).stream()
                .map(line -> line.replaceFirst("^\\[[^]]*]\\[[^]]*]\\[[^]]*] ?", ""))
                .map(line -> line.split(" ", 2)[0])
                .toList();
        stderr = Files.readString(err);
    }

    @Test
    void anIdleRegistryLoadsNeitherAJsonMapperNorXmlLoggingNorJmx() {
        assertThat(loadedClasses).as("the class log was read").hasSizeGreaterThan(1000);
        assertThat(loadedClasses.contains("dev.cachalot.registry.RegistryServer")).as("the registry started").isTrue();
        assertThat(loadedClasses.contains("com.fasterxml.jackson.databind.ObjectMapper"))
                .as("JSON mappers are built on first use, not at start-up").isFalse();
        assertThat(loadedClasses.contains("ch.qos.logback.classic.joran.JoranConfigurator")
                || loadedClasses.contains("javax.xml.parsers.SAXParserFactory"))
                .as("logging is configured in code (LoggingConfigurator), not by parsing XML").isFalse();
        assertThat(loadedClasses.contains("javax.management.MBeanServer"))
                .as("Jetty is told how wide references are instead of asking JMX").isFalse();
    }

    @Test
    void logsInTheUsualFormatAtTheLevelOfCachalotLogLevel() {
        assertThat(stderr).as(stderr).containsPattern("(?m)^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  Engine - Cachalot registry serving on http://127\\.0\\.0\\.1:\\d+ ");
        assertThat(stderr).as("CACHALOT_LOG_LEVEL=DEBUG shows Cachalot's debug lines\n%s", stderr)
                .containsPattern("(?m)^\\S+ DEBUG \\w+ - ");
        assertThat(stderr).as("Jetty stays at WARN: its INFO start-up lines (Server, AbstractConnector) are not shown")
                .doesNotContainPattern("(?m)^\\S+ (TRACE|DEBUG|INFO ) (Server|AbstractConnector|QueuedThreadPool|ManagedSelector) - ");
    }

    private void awaitRegistry(Process serve, int port, Path err) throws Exception {
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        while (true) {
            if (!serve.isAlive()) {
                throw new AssertionError("serve exited with " + serve.exitValue() + " before answering\n" + Files.readString(err));
            }
            try {
                HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/"))
                        .timeout(Duration.ofSeconds(30)).build();
                if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) return;
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("serve did not answer GET /v2/ within " + START_LIMIT + "\n" + Files.readString(err));
            }
            Thread.sleep(100);
        }
    }
}
