package dev.cachalot.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cachalot.registry.RawHttp;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.TestBlob;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Traversal attempts end to end through the engine, sent byte for byte over a raw socket (the JDK client would
 * normalise them). Sentinel files wait outside the data folder exactly where a naive path join would land: a
 * fake {@code etc/passwd} and a blob-like file stored under its own digest beside the data folder. Every attempt
 * must get a 400 with a spec error code, never a sentinel's bytes, and nothing outside the data folder may change.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EnginePathSafetyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] PASSWD = "root:x:0:0:SENTINEL-PASSWD:/root:/bin/sh\n".getBytes(StandardCharsets.UTF_8);
    private static final byte[] BLOB_LIKE = "SENTINEL-BLOB outside the data folder\n".getBytes(StandardCharsets.UTF_8);

    @TempDir
    static Path root;

    private DockerRegistryFixture upstream;
    private Engine engine;
    private TestImage image;
    private String sentinelHex;
    private Map<Path, String> outsideBefore;

    @BeforeAll
    void startEngineAndPlaceSentinels() throws Exception {
        upstream = DockerRegistryFixture.start();
        image = new TestImages(31).ociImage();
        new RegistryPusher(upstream.url()).push("app", "1", image);

        Path data = root.resolve("data");
        engine = Engine.open(new DataFolder(data));
        engine.addUpstream(upstream.hostPort(), upstream.url(), null);
        engine.createRule(new RuleDraft("upstream-all", upstream.hostPort() + "/*", "up/*", null, null));
        engine.startServer("127.0.0.1:0");
        // A legitimate pull first, so the data folder holds real blobs next to which a traversal could reach out.
        assertThat(RawHttp.send(engine.port(), manifestRequestFor("/v2/up/app/manifests/1")).status()).isEqualTo(200);
        for (TestBlob blob : image.blobs()) {
            assertThat(RawHttp.get(engine.port(), "/v2/up/app/blobs/" + blob.digest()).status()).isEqualTo(200);
        }

        sentinelHex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(BLOB_LIKE));
        write(root.resolve("etc/passwd"), PASSWD);
        write(root.resolve("blobs/sha256/" + sentinelHex.substring(0, 2) + "/" + sentinelHex), BLOB_LIKE);
        write(root.resolve(sentinelHex), BLOB_LIKE);
        write(root.resolve("etc/" + sentinelHex), BLOB_LIKE);
        outsideBefore = snapshotOutsideDataFolder();
    }

    @AfterAll
    void stop() {
        if (engine != null) engine.close();
        if (upstream != null) upstream.close();
    }

    Stream<Arguments> traversals() {
        String ns = "?ns=127.0.0.1:" + upstream.port();
        String hex = sentinelHex;
        return Stream.of(
                Arguments.of("/v2/../../etc/passwd/manifests/x", "NAME_INVALID"),
                Arguments.of("/v2/up/%2e%2e/%2e%2e/manifests/x", "NAME_INVALID"),
                Arguments.of("/v2/up%2fapp/manifests/1", "NAME_INVALID"),
                Arguments.of("/v2/up/app/blobs/sha256:..%2f..%2fetc", "NAME_INVALID"),
                Arguments.of("/v2/up/%2E%2E/%2E%2E/%2E%2E/etc/passwd/manifests/latest", "NAME_INVALID"),
                Arguments.of("/v2/up/app/manifests/..%2f..%2f..%2fetc%2fpasswd", "NAME_INVALID"),
                Arguments.of("/v2/up/app/blobs/sha256:..%2f..%2f..%2fblobs%2fsha256%2f" + hex.substring(0, 2) + "%2f" + hex, "NAME_INVALID"),
                Arguments.of("/v2/up/app/blobs/..%2f..%2f..%2f" + hex, "NAME_INVALID"),
                Arguments.of("/v2/up/..%5c..%5cetc/manifests/x", "NAME_INVALID"),
                Arguments.of("/v2/up/%252e%252e/%252e%252e/etc/manifests/x", "NAME_INVALID"),
                Arguments.of("/v2/%2e%2e/etc/passwd/manifests/x" + ns, "NAME_INVALID"),
                Arguments.of("/v2/up/app/blobs/sha256:" + hex.substring(0, 60) + "%2f..", "NAME_INVALID"));
    }

    @ParameterizedTest
    @MethodSource("traversals")
    void traversalAttemptsAreRefusedWith400AndNeverReachOutsideTheDataFolder(String rawTarget, String code) throws Exception {
        RawHttp.Answer answer = RawHttp.send(engine.port(), manifestRequestFor(rawTarget));

        assertThat(answer.status()).as(answer.text()).isEqualTo(400);
        assertThat(answer.header("Content-Type")).isEqualTo("application/json");
        assertThat(errorCode(answer)).isEqualTo(code);
        assertThat(answer.text()).doesNotContain("SENTINEL");
        assertThat(snapshotOutsideDataFolder()).isEqualTo(outsideBefore);
    }

    @Test
    void aBlobLikeFileOutsideTheDataFolderIsNotServedEvenByItsOwnDigest() throws Exception {
        RawHttp.Answer throughRule = RawHttp.get(engine.port(), "/v2/up/app/blobs/sha256:" + sentinelHex);
        RawHttp.Answer local = RawHttp.get(engine.port(), "/v2/local/app/blobs/sha256:" + sentinelHex);

        assertThat(throughRule.status()).isEqualTo(404);
        assertThat(errorCode(throughRule)).isEqualTo("BLOB_UNKNOWN");
        assertThat(local.status()).isEqualTo(404);
        assertThat(errorCode(local)).isEqualTo("BLOB_UNKNOWN");
        assertThat(throughRule.text() + local.text()).doesNotContain("SENTINEL");
        assertThat(snapshotOutsideDataFolder()).isEqualTo(outsideBefore);
    }

    @Test
    void refusedAttemptsLeaveNoRepositoryBehind() throws Exception {
        RawHttp.send(engine.port(), manifestRequestFor("/v2/up/%2e%2e/%2e%2e/manifests/x"));
        RawHttp.send(engine.port(), manifestRequestFor("/v2/../../etc/passwd/manifests/x"));

        assertThat(engine.repositories()).extracting(RepositoryView::name).containsExactly("up/app");
    }

    // ------------------------------------------------------------------ helpers

    private static String manifestRequestFor(String rawTarget) {
        return "GET " + rawTarget + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: " + TestImages.ACCEPT_ALL_MANIFESTS
                + "\r\nConnection: close\r\n\r\n";
    }

    private static String errorCode(RawHttp.Answer answer) throws IOException {
        JsonNode errors = JSON.readTree(answer.body()).get("errors");
        assertThat(errors).as("spec error body: %s", answer.text()).isNotNull();
        return errors.get(0).get("code").asText();
    }

    private static void write(Path file, byte[] content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, content);
    }

    /** Every file and folder under the temp root but outside the data folder, with its size, time and content hash. */
    private static Map<Path, String> snapshotOutsideDataFolder() throws Exception {
        Path data = root.resolve("data");
        Map<Path, String> state = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all.filter(p -> !p.startsWith(data))::iterator) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                String content = a.isRegularFile()
                        ? HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))) : "dir";
                state.put(root.relativize(p), a.size() + " " + a.lastModifiedTime() + " " + content);
            }
        }
        return state;
    }
}
