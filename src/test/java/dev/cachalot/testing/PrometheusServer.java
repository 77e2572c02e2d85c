package dev.cachalot.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalDouble;
import org.awaitility.Awaitility;

/**
 * A real Prometheus server (Debian's {@code prometheus}) on a free loopback port, scraping one target every second.
 * Its storage is a temp folder; {@link #close} stops the process it started (by its PID, nothing else).
 */
public final class PrometheusServer implements AutoCloseable {
    public static final String BINARY = "/usr/bin/prometheus";
    public static final String DEBIAN_PACKAGE = "prometheus";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final int port;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private PrometheusServer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts Prometheus scraping {@code http://target/metrics} (target: {@code host:port}); waits until it is ready. */
    public static PrometheusServer scraping(String target, Path folder) {
        RequiredBinary.require(BINARY, DEBIAN_PACKAGE);
        try {
            Files.createDirectories(folder);
            Path config = folder.resolve("prometheus.yml");
            Files.writeString(config, """
                    global:
                      scrape_interval: 1s
                      scrape_timeout: 1s
                    scrape_configs:
                      - job_name: cachalot
                        metrics_path: /metrics
                        static_configs:
                          - targets: ['%s']
                    """.formatted(target));
            int port = Ports.free();
            Path log = folder.resolve("prometheus.log");
            Process process = new ProcessBuilder(BINARY, "--config.file=" + config,
                    "--storage.tsdb.path=" + folder.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + port)
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            PrometheusServer server = new PrometheusServer(process, port, log);
            try {
                Awaitility.await("prometheus ready on port " + port).atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(200)).until(server::ready);
            } catch (RuntimeException e) {
                server.close();
                throw new AssertionError("prometheus did not get ready; its log:\n" + Files.readString(log), e);
            }
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private boolean ready() {
        if (!process.isAlive()) {
            throw new IllegalStateException("prometheus exited with " + process.exitValue());
        }
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/-/ready")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The value of an instant PromQL query that yields one sample; empty when it yields none. */
    public OptionalDouble query(String promql) {
        URI uri = URI.create("http://127.0.0.1:" + port + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = JSON.readTree(response.body());
            if (!"success".equals(body.path("status").asText())) {
                throw new AssertionError("prometheus refused " + promql + ": " + response.body());
            }
            JsonNode result = body.path("data").path("result");
            if (result.isEmpty()) {
                return OptionalDouble.empty();
            }
            return OptionalDouble.of(Double.parseDouble(result.get(0).path("value").get(1).asText()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The health of the one scrape target as Prometheus last saw it ({@code up}): 1 when its last scrape worked. */
    public OptionalDouble targetUp() {
        return query("up{job=\"cachalot\"}");
    }

    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        Processes.stop(process, Duration.ofSeconds(10));
    }
}
