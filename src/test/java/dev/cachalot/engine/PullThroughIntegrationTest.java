package dev.cachalot.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachalot.engine.EngineStatus.State;
import dev.cachalot.rules.RuleValidationException;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.RegistryReader;
import dev.cachalot.testing.Skopeo;
import dev.cachalot.testing.TestBlob;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine pulling through from a real upstream: Debian's docker-registry on loopback, images built and pushed by
 * the test, pulled through the engine with skopeo and raw HTTP, every digest checked.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PullThroughIntegrationTest {

    private static final String ACCEPT_ALL = TestImages.ACCEPT_ALL_MANIFESTS;

    @TempDir
    static Path temp;

    private DockerRegistryFixture upstream;
    private RegistryPusher pusher;
    private Engine engine;
    private RegistryReader cache;
    private String cacheHost;
    private final TestImages images = new TestImages(42);
    private final Skopeo skopeo = new Skopeo();

    @BeforeAll
    void startUpstreamAndEngine() {
        upstream = DockerRegistryFixture.start();
        pusher = new RegistryPusher(upstream.url());
        engine = Engine.open(new DataFolder(temp.resolve("data")));
        engine.addUpstream(upstream.hostPort(), upstream.url(), null);
        engine.createRule(new RuleDraft("upstream-all", upstream.hostPort() + "/*", "up/*", null, null));
        engine.startServer("127.0.0.1:0");
        assertThat(engine.status().state()).isEqualTo(State.RUNNING);
        cacheHost = "127.0.0.1:" + engine.port();
        cache = new RegistryReader("http://" + cacheHost);
    }

    @AfterAll
    void stop() {
        if (engine != null) engine.close();
        if (upstream != null) upstream.close();
    }

    @Test
    void pullsADockerSchema2ImageWithSkopeoAndEveryDigestMatches() {
        TestImage image = images.dockerImage();
        pusher.push("team/docker-app", "1.0", image);

        skopeo.copy(cacheHost + "/up/team/docker-app:1.0", temp.resolve("docker-app"));
        Skopeo.CopiedImage copy = Skopeo.read(temp.resolve("docker-app")).verified();

        assertThat(copy.manifestDigest()).isEqualTo(image.digest());
        assertThat(copy.blobDigests()).containsExactlyInAnyOrderElementsOf(image.blobs().stream().map(TestBlob::digest).toList());
        engine.flushEvents();
        assertThat(engine.repositories()).anySatisfy(r -> {
            assertThat(r.name()).isEqualTo("up/team/docker-app");
            assertThat(r.cached()).isTrue();
            assertThat(r.pullCount()).isEqualTo(1);
        });
    }

    /**
     * What an idle process lets go of (pooled and spare buffers, the database's page cache) is only what the next
     * requests would have reused: a pull right after is served as before, from the cache and from the upstream.
     */
    @Test
    void anIdleReleaseLeavesTheCacheServingEverything() {
        TestImage cached = images.ociImage();
        pusher.push("idle-app", "v1", cached);
        skopeo.copy(cacheHost + "/up/idle-app:v1", temp.resolve("idle-before"));

        engine.releaseIdleMemory();

        skopeo.copy(cacheHost + "/up/idle-app:v1", temp.resolve("idle-after"));
        assertThat(Skopeo.read(temp.resolve("idle-after")).verified().manifestDigest()).isEqualTo(cached.digest());
        TestImage fresh = images.ociImage();
        pusher.push("idle-app", "v2", fresh);
        RegistryReader.Fetched fetched = cache.manifest("up/idle-app", "v2", ACCEPT_ALL);
        assertThat(fetched.headers().firstValue("X-Cachalot-Source")).hasValue("upstream");
        for (TestBlob blob : fresh.blobs()) {
            assertThat(cache.blob("up/idle-app", blob.digest()).digest()).isEqualTo(blob.digest());
        }
        engine.releaseIdleMemory();
        engine.flushEvents();
        assertThat(engine.repositories()).anySatisfy(r -> assertThat(r.name()).isEqualTo("up/idle-app"));
    }

    @Test
    void pullsAnOciImageAndASecondPullIsServedFromTheCache() {
        TestImage image = images.ociImage();
        pusher.push("oci-app", "v1", image);

        RegistryReader.Fetched first = cache.manifest("up/oci-app", "v1", ACCEPT_ALL);
        RegistryReader.Fetched second = cache.manifest("up/oci-app", "v1", ACCEPT_ALL);

        assertThat(first.status()).isEqualTo(200);
        assertThat(first.headers().firstValue("X-Cachalot-Source")).hasValue("upstream");
        assertThat(second.headers().firstValue("X-Cachalot-Source")).hasValue("cache");
        assertThat(second.body()).isEqualTo(image.manifest());
        assertThat(second.headers().firstValue("Docker-Content-Digest")).hasValue(image.digest());
        assertThat(second.headers().firstValue("Content-Type")).hasValue(TestImages.OCI_MANIFEST);
        for (TestBlob blob : image.blobs()) {
            RegistryReader.BlobRead read = cache.blob("up/oci-app", blob.digest());
            assertThat(read.status()).isEqualTo(200);
            assertThat(read.digest()).isEqualTo(blob.digest());
            assertThat(read.headers().firstValue("Docker-Content-Digest")).hasValue(blob.digest());
        }
    }

    @Test
    void pullsAWholeIndexWithAllPlatformsAndOnePlatformAlone() {
        TestImage index = images.ociIndex();
        pusher.push("multi", "latest", index);

        Path all = temp.resolve("multi-all");
        skopeo.copy(cacheHost + "/up/multi:latest", all, Skopeo.all());
        Skopeo.CopiedImage copyAll = Skopeo.read(all).verified();
        assertThat(copyAll.manifestDigest()).isEqualTo(index.digest());
        assertThat(copyAll.instanceManifests().keySet())
                .containsExactlyInAnyOrderElementsOf(index.platformImages().stream().map(TestImage::digest).toList());

        TestImage arm = index.platformImage("arm64");
        Path one = temp.resolve("multi-arm64");
        skopeo.copy(cacheHost + "/up/multi:latest", one, Skopeo.platform("linux", "arm64"));
        Skopeo.CopiedImage copyOne = Skopeo.read(one).verified();
        assertThat(copyOne.manifestDigest()).isEqualTo(arm.digest());
        assertThat(copyOne.blobDigests()).containsExactlyInAnyOrderElementsOf(arm.blobs().stream().map(TestBlob::digest).toList());
    }

    @Test
    void streamsA256MiBBlobColdAndServesItWarmWithRanges() throws Exception {
        TestImage big = images.ociImageWithBigLayer(temp, 256);
        pusher.push("big", "1", big);
        TestBlob layer = big.layers().stream().filter(TestBlob::inFile).findFirst().orElseThrow();

        RegistryReader.BlobRead cold = cache.blob("up/big", layer.digest());
        assertThat(cold.status()).isEqualTo(200);
        assertThat(cold.size()).isEqualTo(layer.size());
        assertThat(cold.digest()).isEqualTo(layer.digest());

        RegistryReader.BlobRead warm = cache.blob("up/big", layer.digest());
        assertThat(warm.headers().firstValue("X-Cachalot-Source")).hasValue("cache");
        assertThat(warm.digest()).isEqualTo(layer.digest());

        long from = 100 * 1024 * 1024 + 3;
        long to = from + 65535;
        RegistryReader.Fetched range = cache.get("/v2/up/big/blobs/" + layer.digest(), "Range", "bytes=" + from + "-" + to);
        assertThat(range.status()).isEqualTo(206);
        assertThat(range.headers().firstValue("Content-Range")).hasValue("bytes " + from + "-" + to + "/" + layer.size());
        byte[] expected = new byte[65536];
        try (var ch = java.nio.channels.FileChannel.open(layer.file())) {
            ch.read(java.nio.ByteBuffer.wrap(expected), from);
        }
        assertThat(range.body()).isEqualTo(expected);
    }

    @Test
    void eightConcurrentColdPullsOfOneBlobCauseOneUpstreamGet() throws Exception {
        TestImage big = images.ociImageWithBigLayer(temp, 64);
        pusher.push("shared", "1", big);
        TestBlob layer = big.layers().stream().filter(TestBlob::inFile).findFirst().orElseThrow();
        String blobPath = "/v2/shared/blobs/" + layer.digest();
        long before = upstream.countRequests("GET", blobPath);

        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<RegistryReader.BlobRead>> reads = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                reads.add(clients.submit(() -> cache.blob("up/shared", layer.digest())));
            }
            for (Future<RegistryReader.BlobRead> read : reads) {
                RegistryReader.BlobRead r = read.get(5, TimeUnit.MINUTES);
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.digest()).isEqualTo(layer.digest());
                assertThat(r.size()).isEqualTo(layer.size());
            }
        } finally {
            clients.shutdownNow();
        }
        assertThat(upstream.countRequests("GET", blobPath) - before).isEqualTo(1);
    }

    @Test
    void aTagMovedUpstreamServesTheNewDigestWhileTheOldDigestStillPulls() {
        TestImage v1 = images.ociImage();
        TestImage v2 = images.ociImage(TestImage.Platform.LINUX_AMD64, 2);
        pusher.push("moving", "stable", v1);
        assertThat(cache.manifest("up/moving", "stable", ACCEPT_ALL).headers().firstValue("Docker-Content-Digest")).hasValue(v1.digest());

        pusher.push("moving", "stable", v2);
        RegistryReader.Fetched moved = cache.manifest("up/moving", "stable", ACCEPT_ALL);
        assertThat(moved.headers().firstValue("Docker-Content-Digest")).hasValue(v2.digest());
        assertThat(moved.body()).isEqualTo(v2.manifest());

        RegistryReader.Fetched old = cache.manifest("up/moving", v1.digest(), ACCEPT_ALL);
        assertThat(old.status()).isEqualTo(200);
        assertThat(old.body()).isEqualTo(v1.manifest());
    }

    @Test
    void aDockerOnlyAcceptNeverGetsAnOciIndex() {
        TestImage index = images.ociIndex();
        pusher.push("docker-client", "1", index);
        RegistryReader.Fetched r = cache.manifest("up/docker-client", "1",
                "application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.text()).contains("MANIFEST_UNKNOWN");
        assertThat(r.headers().firstValue("Content-Type").orElse("")).doesNotContain("oci");
    }

    @Test
    void containerdMirrorRequestsWithNsAreRoutedByTheRuleSource() {
        TestImage image = images.ociImage();
        pusher.push("mirrored/app", "2", image);
        RegistryReader.Fetched r = cache.get("/v2/mirrored/app/manifests/2?ns=" + upstream.hostPort(), "Accept", ACCEPT_ALL);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers().firstValue("Docker-Content-Digest")).hasValue(image.digest());
        TestBlob blob = image.blobs().get(0);
        assertThat(cache.blob("mirrored/app", blob.digest() + "?ns=" + upstream.hostPort()).digest()).isEqualTo(blob.digest());
        assertThat(engine.repositories()).anySatisfy(repo -> assertThat(repo.name()).isEqualTo("up/mirrored/app"));
    }

    @Test
    void tagsListPaginatesOverUpstreamTags() {
        TestImage image = images.ociImage();
        for (String tag : List.of("a", "b", "c", "d")) pusher.push("paged", tag, image);
        RegistryReader.Fetched page = cache.get("/v2/up/paged/tags/list?n=2");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.text()).contains("\"a\"", "\"b\"").doesNotContain("\"c\"");
        assertThat(page.headers().firstValue("Link").orElse("")).contains("last=b");
        RegistryReader.Fetched rest = cache.get("/v2/up/paged/tags/list?n=2&last=b");
        assertThat(rest.text()).contains("\"c\"", "\"d\"");
    }

    @Test
    void unknownManifestsAndBlobsAnswerWithSpecErrors() {
        assertThat(cache.manifest("up/nothing-here", "1", ACCEPT_ALL).status()).isEqualTo(404);
        String missing = "sha256:" + "0".repeat(64);
        RegistryReader.Fetched blob = cache.get("/v2/up/nothing-here/blobs/" + missing);
        assertThat(blob.status()).isEqualTo(404);
        assertThat(blob.text()).contains("BLOB_UNKNOWN");
        RegistryReader.Fetched local = cache.manifest("not-a-rule/app", "1", ACCEPT_ALL);
        assertThat(local.status()).isEqualTo(404);
        assertThat(local.text()).contains("MANIFEST_UNKNOWN");
    }

    @Test
    void invalidNamesTagsAndDigestsAreRefusedWith400() {
        assertThat(cache.get("/v2/up/UPPER/manifests/1").status()).isEqualTo(400);
        assertThat(cache.get("/v2/up/app/manifests/bad:tag!").status()).isEqualTo(400);
        RegistryReader.Fetched digest = cache.get("/v2/up/app/blobs/sha256:xyz");
        assertThat(digest.status()).isEqualTo(400);
        assertThat(digest.text()).contains("DIGEST_INVALID");
    }

    @Test
    void overlappingAndMalformedRulesAreRefused() {
        assertThatThrownBy(() -> engine.createRule(new RuleDraft("overlap-1", upstream.hostPort() + "/x/*", "up/x/*", null, null)))
                .isInstanceOf(RuleValidationException.class).hasMessageContaining("up/*");
        assertThatThrownBy(() -> engine.createRule(new RuleDraft("tagged-1", "docker.io/library/nginx:1.25", "nginx", null, null)))
                .isInstanceOf(RuleValidationException.class).hasMessageContaining("tag");
        assertThat(engine.checkRule(new RuleDraft("static-ok", upstream.hostPort() + "/library/nginx", "up/nginx", null, null))).isEmpty();
    }

    @Test
    void aBlobWhoseBytesDoNotMatchItsDigestIsNeverCached() throws Exception {
        // The upstream's storage is corrupted behind its back: it serves bytes that don't hash to the digest.
        TestImage image = images.ociImage();
        pusher.push("corrupt", "1", image);
        TestBlob layer = image.layers().get(0);
        Path stored = upstream.storage().resolve("docker/registry/v2/blobs/sha256/" + layer.hex().substring(0, 2) + "/" + layer.hex() + "/data");
        byte[] bytes = Files.readAllBytes(stored);
        bytes[bytes.length / 2] ^= 0x5a;
        Files.write(stored, bytes);

        assertThat(Files.exists(temp.resolve("data/blobs/sha256/" + layer.hex().substring(0, 2) + "/" + layer.hex())))
                .as("the layer must not be cached before this test").isFalse();
        // Two honest outcomes, depending on whether verification failed before or after the first byte went out:
        // an error status with a spec body, or a connection broken before a complete body. Never a 200 that ends.
        RegistryReader.BlobRead read = null;
        try {
            read = cache.blob("up/corrupt", layer.digest());
        } catch (java.io.UncheckedIOException expected) {
            // the connection broke before a complete body
        }
        if (read != null) {
            assertThat(read.status()).as("a complete answer for a corrupt blob").isNotEqualTo(200);
            assertThat(read.headers().firstValue("Content-Type")).hasValue("application/json");
        }
        Path cached = temp.resolve("data/blobs/sha256/" + layer.hex().substring(0, 2) + "/" + layer.hex());
        assertThat(cached).doesNotExist();
        try (var tmp = Files.list(temp.resolve("data/tmp"))) {
            assertThat(tmp.filter(p -> !p.getFileName().toString().startsWith("."))).isEmpty();
        }
    }

    static String sha256(byte[] b) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
