package dev.cachalot.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachalot.storage.DataFolder;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.RegistryReader;
import dev.cachalot.testing.Sha256;
import dev.cachalot.testing.Skopeo;
import dev.cachalot.testing.TestBlob;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pushing into plain local repositories of a running engine: with skopeo (an image first pulled from Debian's
 * docker-registry into a {@code dir:}), with the registry API by hand (chunked, monolithic, mount), and the refusals
 * (wrong digest, missing blob, a cached namespace), then pulling everything back with skopeo and raw HTTP.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalPushIntegrationTest {

    private static final String ACCEPT_ALL = TestImages.ACCEPT_ALL_MANIFESTS;

    @TempDir
    static Path temp;

    private DockerRegistryFixture upstream;
    private Engine engine;
    private String cacheHost;
    private String cacheUrl;
    private RegistryReader cache;
    private RegistryPusher cachePusher;
    private final TestImages images = new TestImages(7);
    private final Skopeo skopeo = new Skopeo();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();

    @BeforeAll
    void startUpstreamAndEngine() {
        upstream = DockerRegistryFixture.start();
        engine = Engine.open(new DataFolder(temp.resolve("data")));
        engine.addUpstream(upstream.hostPort(), upstream.url(), null);
        engine.createRule(new RuleDraft("upstream-all", upstream.hostPort() + "/*", "up/*", null, null));
        engine.startServer("127.0.0.1:0");
        cacheHost = "127.0.0.1:" + engine.port();
        cacheUrl = "http://" + cacheHost;
        cache = new RegistryReader(cacheUrl);
        cachePusher = new RegistryPusher(cacheUrl);
    }

    @AfterAll
    void stop() {
        if (engine != null) engine.close();
        if (upstream != null) upstream.close();
    }

    // ------------------------------------------------------------------ whole images

    @Test
    void skopeoPushesAnImageThatSkopeoAndRawHttpPullBackAsLocal() throws Exception {
        TestImage image = images.ociImage();
        upstream.pusher().push("source/app", "1", image);
        Path source = temp.resolve("skopeo-source");
        skopeo.copy(upstream.hostPort() + "/source/app:1", source);

        Skopeo.Result push = skopeoPush(source, cacheHost + "/myapp:1");
        assertThat(push.exitCode()).as(push.stderr()).isZero();

        Path back = temp.resolve("skopeo-back");
        skopeo.copy(cacheHost + "/myapp:1", back);
        Skopeo.CopiedImage copy = Skopeo.read(back).verified();
        assertThat(copy.manifestDigest()).isEqualTo(image.digest());
        assertThat(copy.blobDigests()).containsExactlyInAnyOrderElementsOf(digests(image.blobs()));

        RegistryReader.Fetched manifest = cache.manifest("myapp", "1", ACCEPT_ALL);
        assertThat(manifest.status()).isEqualTo(200);
        assertThat(manifest.body()).isEqualTo(image.manifest());
        assertThat(manifest.digestHeader()).isEqualTo(image.digest());
        assertThat(manifest.contentType()).isEqualTo(TestImages.OCI_MANIFEST);
        assertThat(manifest.headers().firstValue("X-Cachalot-Source")).hasValue("local");
        for (TestBlob blob : image.blobs()) {
            RegistryReader.BlobRead read = cache.blob("myapp", blob.digest());
            assertThat(read.status()).isEqualTo(200);
            assertThat(read.digest()).isEqualTo(blob.digest());
            assertThat(read.headers().firstValue("X-Cachalot-Source")).hasValue("local");
        }
        assertThat(engine.repositories()).anySatisfy(r -> {
            assertThat(r.name()).isEqualTo("myapp");
            assertThat(r.cached()).isFalse();
            assertThat(r.tagCount()).isEqualTo(1);
        });
    }

    @Test
    void anIndexPushedWithTheRegistryApiPullsWholeWithSkopeo() {
        TestImage index = images.ociIndex();
        cachePusher.push("team/multi", "latest", index);

        Path all = temp.resolve("multi-all");
        skopeo.copy(cacheHost + "/team/multi:latest", all, Skopeo.all());
        Skopeo.CopiedImage copy = Skopeo.read(all).verified();

        assertThat(copy.manifestDigest()).isEqualTo(index.digest());
        assertThat(copy.instanceManifests().keySet())
                .containsExactlyInAnyOrderElementsOf(index.platformImages().stream().map(TestImage::digest).toList());
        assertThat(copy.blobDigests()).containsExactlyInAnyOrderElementsOf(digests(index.blobs()));
    }

    @Test
    void aDockerImageAndAnArtifactWithASubjectArePushedAndReferrersListTheArtifact() throws Exception {
        TestImage image = images.dockerImage();
        cachePusher.push("docker-app", "v2", image);
        TestImage artifact = images.artifactFor(image);
        for (TestBlob blob : artifact.blobs()) {
            cachePusher.pushBlob("docker-app", blob);
        }

        HttpResponse<String> put = send(request("/v2/docker-app/manifests/" + artifact.digest())
                .header("Content-Type", artifact.mediaType())
                .PUT(HttpRequest.BodyPublishers.ofByteArray(artifact.manifest())));

        assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
        assertThat(put.headers().firstValue("OCI-Subject")).hasValue(image.digest());
        assertThat(put.headers().firstValue("Location")).hasValue("/v2/docker-app/manifests/" + artifact.digest());
        RegistryReader.Fetched referrers = cache.get("/v2/docker-app/referrers/" + image.digest());
        assertThat(referrers.text()).contains(artifact.digest()).contains(TestImages.TEST_ARTIFACT_TYPE);
        RegistryReader.Fetched manifest = cache.manifest("docker-app", "v2", TestImages.DOCKER_MANIFEST);
        assertThat(manifest.body()).isEqualTo(image.manifest());
    }

    // ------------------------------------------------------------------ blob uploads by hand

    @Test
    void aChunkedUploadAcceptsChunksInOrderRefusesOutOfOrderOnesAndCompletes() throws Exception {
        byte[] content = randomBytes(300_000, 1);
        String digest = Sha256.of(content);
        HttpResponse<String> start = send(request("/v2/chunky/blobs/uploads/").POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(start.statusCode()).isEqualTo(202);
        assertThat(start.headers().firstValue("Range")).hasValue("0-0");
        String location = start.headers().firstValue("Location").orElseThrow();
        assertThat(location).matches("/v2/chunky/blobs/uploads/[0-9a-f-]{36}");
        assertThat(start.headers().firstValue("Docker-Upload-UUID")).hasValue(location.substring(location.lastIndexOf('/') + 1));

        HttpResponse<String> first = patch(location, content, 0, 100_000);
        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(first.headers().firstValue("Range")).hasValue("0-99999");
        assertThat(first.headers().firstValue("Location")).hasValue(location);

        HttpResponse<String> again = patch(location, content, 0, 100_000);
        assertThat(again.statusCode()).isEqualTo(416);
        assertThat(again.headers().firstValue("Range")).hasValue("0-99999");
        HttpResponse<String> gap = patch(location, content, 150_000, 200_000);
        assertThat(gap.statusCode()).isEqualTo(416);

        HttpResponse<String> second = patch(location, content, 100_000, 250_000);
        assertThat(second.statusCode()).isEqualTo(202);
        HttpResponse<String> status = send(request(location).GET());
        assertThat(status.statusCode()).isEqualTo(204);
        assertThat(status.headers().firstValue("Range")).hasValue("0-249999");

        // the last chunk travels with the PUT that completes the upload
        HttpResponse<String> finish = send(request(location + "?digest=" + digest)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(Arrays.copyOfRange(content, 250_000, content.length))));
        assertThat(finish.statusCode()).as(finish.body()).isEqualTo(201);
        assertThat(finish.headers().firstValue("Location")).hasValue("/v2/chunky/blobs/" + digest);
        assertThat(finish.headers().firstValue("Docker-Content-Digest")).hasValue(digest);

        HttpResponse<byte[]> blob = http.send(request("/v2/chunky/blobs/" + digest).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(blob.body()).isEqualTo(content);
        assertThat(send(request(location).GET()).statusCode()).as("a finished upload is gone").isEqualTo(404);
        assertThat(uploadFiles()).isEmpty();
    }

    @Test
    void aMonolithicUploadStoresTheBlobInOneRequest() throws Exception {
        byte[] content = randomBytes(5_000, 2);
        String digest = Sha256.of(content);

        HttpResponse<String> put = send(request("/v2/mono/blobs/uploads/?digest=" + digest)
                .POST(HttpRequest.BodyPublishers.ofByteArray(content)));

        assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
        assertThat(put.headers().firstValue("Location")).hasValue("/v2/mono/blobs/" + digest);
        assertThat(put.headers().firstValue("Docker-Content-Digest")).hasValue(digest);
        RegistryReader.BlobRead read = cache.blob("mono", digest);
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.digest()).isEqualTo(digest);
    }

    @Test
    void aMountLinksABlobOfAnotherRepositoryAndFallsBackToAnUploadWhenTheSourceLacksIt() throws Exception {
        byte[] content = randomBytes(4_000, 3);
        String digest = Sha256.of(content);
        assertThat(send(request("/v2/mount-source/blobs/uploads/?digest=" + digest)
                .POST(HttpRequest.BodyPublishers.ofByteArray(content))).statusCode()).isEqualTo(201);

        HttpResponse<String> mounted = send(request("/v2/mount-target/blobs/uploads/?mount=" + digest + "&from=mount-source")
                .POST(HttpRequest.BodyPublishers.noBody()));
        HttpResponse<String> notThere = send(request("/v2/mount-other/blobs/uploads/?mount=" + digest + "&from=nowhere")
                .POST(HttpRequest.BodyPublishers.noBody()));

        assertThat(mounted.statusCode()).isEqualTo(201);
        assertThat(mounted.headers().firstValue("Location")).hasValue("/v2/mount-target/blobs/" + digest);
        assertThat(mounted.headers().firstValue("Docker-Content-Digest")).hasValue(digest);
        assertThat(cache.blob("mount-target", digest).digest()).isEqualTo(digest);
        assertThat(notThere.statusCode()).isEqualTo(202);
        assertThat(notThere.headers().firstValue("Location").orElseThrow()).startsWith("/v2/mount-other/blobs/uploads/");
        assertThat(cache.blob("mount-other", digest).status()).isEqualTo(404);
        send(request(notThere.headers().firstValue("Location").orElseThrow()).DELETE());
    }

    @Test
    void aDigestMismatchIsRefusedAndStoresNothing() throws Exception {
        byte[] content = randomBytes(50_000, 4);
        String actual = Sha256.of(content);
        String claimed = Sha256.of("something else".getBytes(StandardCharsets.UTF_8));

        HttpResponse<String> monolithic = send(request("/v2/wrong/blobs/uploads/?digest=" + claimed)
                .POST(HttpRequest.BodyPublishers.ofByteArray(content)));
        String location = send(request("/v2/wrong/blobs/uploads/").POST(HttpRequest.BodyPublishers.noBody()))
                .headers().firstValue("Location").orElseThrow();
        patch(location, content, 0, content.length);
        HttpResponse<String> chunked = send(request(location + "?digest=" + claimed).PUT(HttpRequest.BodyPublishers.noBody()));

        for (HttpResponse<String> refused : List.of(monolithic, chunked)) {
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(refused.body()).contains("\"DIGEST_INVALID\"").contains("nothing was stored");
        }
        assertThat(cache.blob("wrong", claimed).status()).isEqualTo(404);
        assertThat(cache.blob("wrong", actual).status()).isEqualTo(404);
        assertThat(blobFile(claimed)).doesNotExist();
        assertThat(blobFile(actual)).doesNotExist();
        assertThat(send(request(location).GET()).statusCode()).isEqualTo(404);
        assertThat(uploadFiles()).isEmpty();
    }

    @Test
    void aCancelledUploadIsGoneWithItsBytes() throws Exception {
        String location = send(request("/v2/cancelled/blobs/uploads/").POST(HttpRequest.BodyPublishers.noBody()))
                .headers().firstValue("Location").orElseThrow();
        patch(location, randomBytes(10_000, 5), 0, 10_000);
        assertThat(uploadFiles()).hasSize(1);

        HttpResponse<String> cancel = send(request(location).DELETE());

        assertThat(cancel.statusCode()).isEqualTo(204);
        assertThat(send(request(location).GET()).statusCode()).isEqualTo(404);
        assertThat(uploadFiles()).isEmpty();
    }

    // ------------------------------------------------------------------ manifests

    @Test
    void aManifestReferencingAMissingBlobIsRefusedWith400() throws Exception {
        TestImage image = images.ociImage();
        cachePusher.pushBlob("incomplete", image.config()); // the layers are never uploaded

        HttpResponse<String> put = putManifest("incomplete", "1", image);

        assertThat(put.statusCode()).isEqualTo(400);
        assertThat(put.body()).contains("\"MANIFEST_BLOB_UNKNOWN\"").contains(image.layers().get(0).digest());
        assertThat(cache.manifest("incomplete", "1", ACCEPT_ALL).status()).isEqualTo(404);
        assertThat(cache.manifest("incomplete", image.digest(), ACCEPT_ALL).status()).isEqualTo(404);
    }

    @Test
    void aManifestPushedByADigestItDoesNotHaveIsRefused() throws Exception {
        TestImage image = images.ociImage();
        for (TestBlob blob : image.blobs()) cachePusher.pushBlob("by-digest", blob);
        String other = Sha256.of("not this manifest".getBytes(StandardCharsets.UTF_8));

        HttpResponse<String> put = putManifest("by-digest", other, image);

        assertThat(put.statusCode()).isEqualTo(400);
        assertThat(put.body()).contains("\"DIGEST_INVALID\"");
        assertThat(cache.manifest("by-digest", image.digest(), ACCEPT_ALL).status()).isEqualTo(404);
    }

    @Test
    void aManifestThatIsNotJsonIsInvalid() throws Exception {
        HttpResponse<String> put = send(request("/v2/garbage/manifests/1")
                .header("Content-Type", TestImages.OCI_MANIFEST)
                .PUT(HttpRequest.BodyPublishers.ofString("not json")));

        assertThat(put.statusCode()).isEqualTo(400);
        assertThat(put.body()).contains("\"MANIFEST_INVALID\"");
    }

    @Test
    void deletesATagThenTheManifestThenABlob() throws Exception {
        TestImage image = images.ociImage();
        cachePusher.push("deletable", "1", image);
        String layer = image.layers().get(0).digest();

        assertThat(send(request("/v2/deletable/manifests/1").DELETE()).statusCode()).isEqualTo(202);
        assertThat(cache.manifest("deletable", "1", ACCEPT_ALL).status()).isEqualTo(404);
        assertThat(cache.manifest("deletable", image.digest(), ACCEPT_ALL).status()).as("the manifest outlives its tag").isEqualTo(200);

        cachePusher.pushManifest("deletable", "2", image);
        assertThat(send(request("/v2/deletable/manifests/" + image.digest()).DELETE()).statusCode()).isEqualTo(202);
        assertThat(cache.manifest("deletable", image.digest(), ACCEPT_ALL).status()).isEqualTo(404);
        assertThat(cache.manifest("deletable", "2", ACCEPT_ALL).status()).as("tags go with their manifest").isEqualTo(404);

        assertThat(send(request("/v2/deletable/blobs/" + layer).DELETE()).statusCode()).isEqualTo(202);
        assertThat(cache.blob("deletable", layer).status()).isEqualTo(404);
        HttpResponse<String> twice = send(request("/v2/deletable/blobs/" + layer).DELETE());
        assertThat(twice.statusCode()).isEqualTo(404);
        assertThat(twice.body()).contains("\"BLOB_UNKNOWN\"");
        assertThat(send(request("/v2/deletable/manifests/" + image.digest()).DELETE()).statusCode()).isEqualTo(404);
    }

    // ------------------------------------------------------------------ refusals

    @Test
    void pushingIntoACachedNamespaceIsDenied() throws Exception {
        TestImage image = images.ociImage();
        HttpResponse<String> upload = send(request("/v2/up/poisoned/blobs/uploads/").POST(HttpRequest.BodyPublishers.noBody()));
        HttpResponse<String> manifest = putManifest("up/poisoned", "1", image);
        HttpResponse<String> delete = send(request("/v2/up/poisoned/manifests/1").DELETE());

        for (HttpResponse<String> refused : List.of(upload, manifest, delete)) {
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(refused.body()).contains("\"DENIED\"")
                    .contains("repository up/poisoned is a cache of " + upstream.hostPort() + "/poisoned (rule upstream-all): push is refused");
        }
        Path source = temp.resolve("poison-source");
        upstream.pusher().push("poison", "1", image);
        skopeo.copy(upstream.hostPort() + "/poison:1", source);
        assertThat(skopeoPush(source, cacheHost + "/up/poisoned:1").exitCode()).isNotZero();
        assertThat(uploadFiles()).isEmpty();
    }

    @Test
    void aRuleWhoseTargetIsAPushedLocalRepositoryIsRefused() {
        cachePusher.push("owned/app", "1", images.ociImage());

        assertThatThrownBy(() -> engine.createRule(new RuleDraft("takeover", upstream.hostPort() + "/owned/app", "owned/app", null, null)))
                .hasMessageContaining("a local repository named 'owned/app' already exists");
        assertThatThrownBy(() -> engine.createRule(new RuleDraft("takeover-all", upstream.hostPort() + "/owned/*", "owned/*", null, null)))
                .hasMessageContaining("local repositories already exist under 'owned/'");
        assertThat(engine.rules()).noneMatch(r -> r.name().startsWith("takeover"));
    }

    // ------------------------------------------------------------------ helpers

    private Skopeo.Result skopeoPush(Path dir, String destination) {
        return skopeo.run(Duration.ofMinutes(2), List.of("copy", "--preserve-digests", "--dest-tls-verify=false",
                "--dest-no-creds", "dir:" + dir.toAbsolutePath(), "docker://" + destination));
    }

    private HttpResponse<String> putManifest(String repository, String reference, TestImage image) throws Exception {
        return send(request("/v2/" + repository + "/manifests/" + reference)
                .header("Content-Type", image.mediaType())
                .PUT(HttpRequest.BodyPublishers.ofByteArray(image.manifest())));
    }

    private HttpResponse<String> patch(String location, byte[] content, int from, int to) throws Exception {
        return send(request(location)
                .header("Content-Type", "application/octet-stream")
                .header("Content-Range", from + "-" + (to - 1))
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(content, from, to - from)));
    }

    private HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create(cacheUrl + pathAndQuery)).timeout(Duration.ofSeconds(30));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private Path blobFile(String digest) {
        String hex = Sha256.hex(digest);
        return engine.dataFolder().blobs().resolve("sha256").resolve(hex.substring(0, 2)).resolve(hex);
    }

    private List<Path> uploadFiles() throws IOException {
        try (Stream<Path> files = Files.list(engine.dataFolder().tmp())) {
            return files.filter(f -> f.getFileName().toString().startsWith("upload-")).toList();
        }
    }

    private static List<String> digests(List<TestBlob> blobs) {
        return blobs.stream().map(TestBlob::digest).toList();
    }

    private static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new java.util.Random(seed).nextBytes(bytes);
        return bytes;
    }
}
