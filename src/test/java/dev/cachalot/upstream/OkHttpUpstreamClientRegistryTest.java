package dev.cachalot.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachalot.oci.Digest;
import dev.cachalot.oci.MediaTypes;
import dev.cachalot.rules.AuthMode;
import dev.cachalot.rules.Upstream;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.Sha256;
import dev.cachalot.testing.TestBlob;
import dev.cachalot.testing.TestImage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The upstream client against Debian's real docker-registry on loopback: anonymous and htpasswd basic auth. */
class OkHttpUpstreamClientRegistryTest {

    private static final String REPO = "team/hello";
    private static final byte[] LAYER = "not really a tarball, the registry does not care".getBytes(StandardCharsets.UTF_8);
    private static final byte[] CONFIG = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);

    static DockerRegistryFixture open;
    static DockerRegistryFixture locked;
    static byte[] manifest;
    static String layerDigest;

    @BeforeAll
    static void startRegistries() throws Exception {
        open = DockerRegistryFixture.start();
        locked = DockerRegistryFixture.builder().htpasswd("puller", "s3cret-Passw0rd").start();
        TestBlob layer = TestBlob.inMemory("application/vnd.docker.image.rootfs.diff.tar.gzip", LAYER);
        TestBlob config = TestBlob.inMemory("application/vnd.docker.container.image.v1+json", CONFIG);
        layerDigest = layer.digest();
        manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST + "\","
                + "\"config\":{\"mediaType\":\"" + config.mediaType() + "\",\"size\":" + CONFIG.length
                + ",\"digest\":\"" + config.digest() + "\"},"
                + "\"layers\":[{\"mediaType\":\"" + layer.mediaType() + "\",\"size\":" + LAYER.length
                + ",\"digest\":\"" + layerDigest + "\"}]}").getBytes(StandardCharsets.UTF_8);
        TestImage image = new TestImage(MediaTypes.DOCKER_MANIFEST, manifest, Sha256.of(manifest), config, List.of(layer),
                List.of(), null, null, null);
        new RegistryPusher(open.url()).push(REPO, "v1", image);
        new RegistryPusher(open.url()).push(REPO, "v2", image);
        RegistryPusher withLogin = new RegistryPusher(locked.url()).withBasicAuth("puller", "s3cret-Passw0rd");
        withLogin.push(REPO, "v1", image);
        withLogin.push(REPO, "v2", image);
    }

    @AfterAll
    static void stopRegistries() throws Exception {
        if (open != null) open.close();
        if (locked != null) locked.close();
    }

    private static Upstream upstream(DockerRegistryFixture r) {
        return new Upstream("test", r.hostPort(), java.net.URI.create(r.url()), AuthMode.BOTH, null, false);
    }

    @Test
    void pullsManifestByTagAndDigestWithVerifiedDigest() throws Exception {
        try (var client = new OkHttpUpstreamClient()) {
            var request = new UpstreamRequest(upstream(open), REPO, null);
            UpstreamManifest byTag = client.fetchManifest(request, "v1", MediaTypes.DEFAULT_ACCEPT);
            assertThat(byTag.body()).isEqualTo(manifest);
            assertThat(byTag.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
            assertThat(byTag.digest().toString()).isEqualTo(Sha256.of(manifest));

            UpstreamManifest byDigest = client.fetchManifest(request, byTag.digest().toString(), MediaTypes.DEFAULT_ACCEPT);
            assertThat(byDigest.body()).isEqualTo(manifest);
        }
    }

    @Test
    void headTellsDigestMediaTypeAndSize() {
        try (var client = new OkHttpUpstreamClient()) {
            var head = client.headManifest(new UpstreamRequest(upstream(open), REPO, null), "v1", MediaTypes.DEFAULT_ACCEPT);
            assertThat(head.digest().toString()).isEqualTo(sha(manifest));
            assertThat(head.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
            assertThat(head.size()).isEqualTo(manifest.length);
        }
    }

    @Test
    void streamsBlobWithItsLength() throws Exception {
        try (var client = new OkHttpUpstreamClient();
             UpstreamBlob blob = client.openBlob(new UpstreamRequest(upstream(open), REPO, null), Digest.parse(layerDigest))) {
            assertThat(blob.contentLength()).isEqualTo(LAYER.length);
            assertThat(readAll(blob)).isEqualTo(LAYER);
        }
    }

    @Test
    void headOfABlobTellsItsSizeAndAMissingOneIsNotFound() {
        try (var client = new OkHttpUpstreamClient()) {
            UpstreamRequest request = new UpstreamRequest(upstream(open), REPO, null);
            assertThat(client.headBlob(request, Digest.parse(layerDigest))).isEqualTo(LAYER.length);
            assertThatThrownBy(() -> client.headBlob(request, Digest.parse("sha256:" + "0".repeat(64))))
                    .isInstanceOfSatisfying(UpstreamException.class, e -> assertThat(e.kind()).isEqualTo(UpstreamException.Kind.NOT_FOUND));
        }
    }

    @Test
    void warmsUpAgainstItsOwnLoopbackSocketAndThenServesRealBlobs() throws Exception {
        try (var client = new OkHttpUpstreamClient()) {
            assertThat(client.warmUp()).isTrue();
            assertThat(client.sharedClient().connectionPool().connectionCount()).isZero();
            try (UpstreamBlob blob = client.openBlob(new UpstreamRequest(upstream(open), REPO, null), Digest.parse(layerDigest))) {
                assertThat(readAll(blob)).isEqualTo(LAYER);
            }
        }
    }

    @Test
    void listsTags() {
        try (var client = new OkHttpUpstreamClient()) {
            assertThat(client.tags(new UpstreamRequest(upstream(open), REPO, null))).containsExactlyInAnyOrder("v1", "v2");
        }
    }

    @Test
    void missingManifestIsNotFound() {
        try (var client = new OkHttpUpstreamClient()) {
            assertThatThrownBy(() -> client.fetchManifest(new UpstreamRequest(upstream(open), REPO, null), "nope",
                    MediaTypes.DEFAULT_ACCEPT))
                    .isInstanceOfSatisfying(UpstreamException.class, e -> {
                        assertThat(e.kind()).isEqualTo(UpstreamException.Kind.NOT_FOUND);
                        assertThat(e.status()).isEqualTo(404);
                        assertThat(e.getMessage()).contains(open.hostPort());
                    });
        }
    }

    @Test
    void pullsFromHtpasswdRegistryWithTheCredentialSetAndReportsItHealthy() throws Exception {
        var creds = new RecordingCredentials("puller", "s3cret-Passw0rd");
        try (var client = new OkHttpUpstreamClient(creds)) {
            var request = new UpstreamRequest(upstream(locked), REPO, "locked-creds");
            assertThat(client.fetchManifest(request, "v1", MediaTypes.DEFAULT_ACCEPT).body()).isEqualTo(manifest);
            try (UpstreamBlob blob = client.openBlob(request, Digest.parse(layerDigest))) {
                assertThat(readAll(blob)).isEqualTo(LAYER);
            }
        }
        assertThat(creds.health).isNotEmpty().allMatch(h -> h.equals("locked-creds:healthy"));
    }

    @Test
    void wrongPasswordIsUnauthorizedAndMarksTheSetUnhealthyWithoutLeakingIt() {
        var creds = new RecordingCredentials("puller", "wrong-Passw0rd");
        try (var client = new OkHttpUpstreamClient(creds)) {
            assertThatThrownBy(() -> client.fetchManifest(new UpstreamRequest(upstream(locked), REPO, "locked-creds"), "v1",
                    MediaTypes.DEFAULT_ACCEPT))
                    .isInstanceOfSatisfying(UpstreamException.class, e -> {
                        assertThat(e.kind()).isEqualTo(UpstreamException.Kind.UNAUTHORIZED);
                        assertThat(e.getMessage()).contains(locked.hostPort()).doesNotContain("wrong-Passw0rd");
                    });
        }
        assertThat(creds.health).containsExactly("locked-creds:UpstreamUnauthorized");
        assertThat(creds.passwordsCleared()).isTrue();
    }

    @Test
    void anonymousPullFromHtpasswdRegistryIsUnauthorized() {
        try (var client = new OkHttpUpstreamClient()) {
            assertThatThrownBy(() -> client.fetchManifest(new UpstreamRequest(upstream(locked), REPO, null), "v1",
                    MediaTypes.DEFAULT_ACCEPT))
                    .isInstanceOfSatisfying(UpstreamException.class,
                            e -> assertThat(e.kind()).isEqualTo(UpstreamException.Kind.UNAUTHORIZED));
        }
    }

    static byte[] readAll(UpstreamBlob blob) throws Exception {
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        var out = new java.io.ByteArrayOutputStream();
        while (blob.body().read(buf) != -1) {
            buf.flip();
            out.write(buf.array(), 0, buf.limit());
            buf.clear();
        }
        return out.toByteArray();
    }

    private static String sha(byte[] b) {
        try {
            return Sha256.of(b);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A stand-in for the vault: hands out a login and records the health reports the client makes. */
    static final class RecordingCredentials implements UpstreamCredentials {
        final String username;
        final String password;
        final List<String> health = new java.util.concurrent.CopyOnWriteArrayList<>();
        final List<String[]> rateLimits = new java.util.concurrent.CopyOnWriteArrayList<>();
        final List<char[]> handedOut = new ArrayList<>();

        RecordingCredentials(String username, String password) {
            this.username = username;
            this.password = password;
        }

        @Override
        public synchronized Optional<Login> login(String credentialSet) {
            char[] p = password.toCharArray();
            handedOut.add(p);
            return Optional.of(new Login(username, p));
        }

        @Override
        public void reportHealth(String credentialSet, boolean healthy, String errorCode, String errorMessage) {
            health.add(credentialSet + ":" + (healthy ? "healthy" : errorCode));
            if (errorMessage != null && errorMessage.contains(password)) {
                throw new AssertionError("password in a health message");
            }
        }

        @Override
        public void reportRateLimit(String credentialSet, String limit, String remaining) {
            rateLimits.add(new String[] {credentialSet, limit, remaining});
        }

        synchronized boolean passwordsCleared() {
            return !handedOut.isEmpty() && handedOut.stream().allMatch(p -> new String(p).chars().allMatch(c -> c == 0));
        }
    }
}
