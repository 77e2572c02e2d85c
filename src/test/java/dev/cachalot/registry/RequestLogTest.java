package dev.cachalot.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.cachalot.oci.Digest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The request log the README promises: at DEBUG, one line per request with method, path (never the query),
 * status, body bytes, duration and client.
 */
class RequestLogTest extends RegistryTestSupport {

    private static final Duration LOGGED_WITHIN = Duration.ofSeconds(10);

    @TempDir
    Path folder;

    private final Logger logger = (Logger) LoggerFactory.getLogger("dev.cachalot.registry.RequestLogger");
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private Level levelBefore;

    @BeforeEach
    void listen() {
        levelBefore = logger.getLevel();
        logger.setLevel(Level.DEBUG);
        lines.start();
        logger.addAppender(lines);
    }

    @AfterEach
    void stopListening() {
        logger.detachAppender(lines);
        logger.setLevel(levelBefore);
    }

    @Test
    void aManifestPullIsOneLineWithMethodPathStatusBytesDurationAndClient() throws Exception {
        byte[] body = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
        backend.putManifest("library/app", "1.0", body, "application/vnd.oci.image.manifest.v1+json", ContentOrigin.CACHE);

        assertThat(get("/v2/library/app/manifests/1.0").statusCode()).isEqualTo(200);

        String line = onlyLineAbout("/v2/library/app/manifests/1.0");
        assertThat(line).startsWith("GET /v2/library/app/manifests/1.0 200 " + body.length + " B ")
                .containsPattern(" [0-9]+ ms ")
                .endsWith(" 127.0.0.1");
    }

    @Test
    void anErrorIsLoggedWithItsStatus() throws Exception {
        assertThat(get("/v2/library/none/manifests/latest").statusCode()).isEqualTo(404);

        assertThat(onlyLineAbout("/v2/library/none/manifests/latest")).startsWith("GET /v2/library/none/manifests/latest 404 ");
    }

    @Test
    void theQueryNeverReachesTheLog() throws Exception {
        get("/v2/library/app/tags/list?n=10&last=secret-looking-value&ns=docker.io");

        String line = onlyLineAbout("/v2/library/app/tags/list");
        assertThat(line).doesNotContain("secret-looking-value").doesNotContain("?").doesNotContain("ns=");
    }

    @Test
    void aWarmBlobSentStraightFromTheFileCountsItsBytes() throws Exception {
        byte[] bytes = new byte[3 * BlobBodies.MAP_WINDOW + 7];
        new Random(5).nextBytes(bytes);
        Path file = folder.resolve("blob");
        Files.write(file, bytes);
        Digest digest = InMemoryBackend.digestOf(bytes);
        backend.putWarmBlob(bytes, file, digest);

        assertThat(get("/v2/app/blobs/" + digest).body()).hasSize(bytes.length);

        assertThat(onlyLineAbout("/v2/app/blobs/" + digest)).startsWith("GET /v2/app/blobs/" + digest + " 200 " + bytes.length + " B ");
    }

    @Test
    void controlCharactersInAPathCannotForgeALogLine() throws Exception {
        RawHttp.get(server.port(), "/v2/app/manifests/a\u00ff\u0085b");

        String line = onlyLineAbout("/v2/app/manifests/a");
        assertThat(line).doesNotContain("\u00ff").doesNotContain("\u0085");
    }

    private String onlyLineAbout(String path) {
        List<String> about = await().atMost(LOGGED_WITHIN).until(() -> lines.list.stream()
                .map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains(" " + path)).toList(), l -> !l.isEmpty());
        assertThat(about).hasSize(1);
        return about.get(0);
    }
}
