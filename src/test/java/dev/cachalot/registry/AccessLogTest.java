package dev.cachalot.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The access log of serve: one line per request on {@value AccessLogFormat#LOGGER}, plain or JSON, with the cache
 * source and never the query string; nothing when it is off.
 */
class AccessLogTest {
    private static final byte[] MANIFEST = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);

    private final Logger logger = (Logger) LoggerFactory.getLogger(AccessLogFormat.LOGGER);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final InMemoryBackend backend = new InMemoryBackend();

    @BeforeEach
    void listen() {
        lines.start();
        logger.addAppender(lines);
        backend.putManifest("library/app", "1.0", MANIFEST, "application/vnd.oci.image.manifest.v1+json", ContentOrigin.CACHE);
    }

    @AfterEach
    void stopListening() {
        logger.detachAppender(lines);
    }

    private List<String> served(AccessLogFormat format, String path) throws Exception {
        try (RegistryServer server = new RegistryServer(backend,
                new ServerOptions(null, RequestObserver.NONE, Operations.ALWAYS_READY, null, format))) {
            server.start("127.0.0.1", 0);
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                    .header("Accept", "application/vnd.oci.image.manifest.v1+json").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            if (format != AccessLogFormat.OFF) {
                await().atMost(Duration.ofSeconds(10)).until(() -> !lines.list.isEmpty());
            }
        }
        return lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void aPlainLineHasTimeClientUserMethodPathStatusBytesDurationAndSourceButNoQuery() throws Exception {
        List<String> logged = served(AccessLogFormat.PLAIN, "/v2/library/app/manifests/1.0?ns=docker.io&token=private");
        assertThat(logged).singleElement().satisfies(line -> {
            assertThat(line).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z 127\\.0\\.0\\.1 - GET "
                    + "/v2/library/app/manifests/1\\.0 200 " + MANIFEST.length + " \\d+ms cache");
            assertThat(line).doesNotContain("private", "ns=");
        });
    }

    @Test
    void aJsonLineIsOneObjectWithTheSameFields() throws Exception {
        List<String> logged = served(AccessLogFormat.JSON, "/v2/library/app/manifests/1.0");
        assertThat(logged).hasSize(1);
        JsonNode line = new ObjectMapper().readTree(logged.get(0));
        assertThat(line.get("client").asText()).isEqualTo("127.0.0.1");
        assertThat(line.get("user").asText()).isEqualTo("-");
        assertThat(line.get("method").asText()).isEqualTo("GET");
        assertThat(line.get("path").asText()).isEqualTo("/v2/library/app/manifests/1.0");
        assertThat(line.get("status").asInt()).isEqualTo(200);
        assertThat(line.get("bytes").asLong()).isEqualTo(MANIFEST.length);
        assertThat(line.get("durationMs").isIntegralNumber()).isTrue();
        assertThat(line.get("source").asText()).isEqualTo("cache");
        assertThat(line.get("time").asText()).endsWith("Z");
    }

    @Test
    void offWritesNothing() throws Exception {
        assertThat(served(AccessLogFormat.OFF, "/v2/library/app/manifests/1.0")).isEmpty();
    }
}
