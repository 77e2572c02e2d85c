package dev.cachalot.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.credentials.Keyring;
import dev.cachalot.credentials.PassphrasePrompt;
import dev.cachalot.credentials.VaultOptions;
import dev.cachalot.oci.Digest;
import dev.cachalot.storage.S3Settings;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.S3ProxyServer;
import dev.cachalot.testing.Skopeo;
import dev.cachalot.testing.TestBlob;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Engines whose blobs live in an S3 bucket (a real S3Proxy process), pulling through from a real docker-registry with
 * skopeo: the first engine fills the bucket; a second engine with its own data folder on the same bucket gets the
 * blobs from the bucket, not from the upstream.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3StoragePullThroughTest {

    private static final VaultOptions NO_PASSPHRASE =
            new VaultOptions(name -> null, Keyring.NONE, PassphrasePrompt.NONE, VaultOptions.MIN_ITERATIONS);

    @TempDir
    static Path temp;

    private S3ProxyServer s3;
    private DockerRegistryFixture upstream;
    private final Skopeo skopeo = new Skopeo();

    @BeforeAll
    void startServers() {
        s3 = S3ProxyServer.start(temp.resolve("s3"));
        upstream = DockerRegistryFixture.start();
    }

    @AfterAll
    void stopServers() {
        if (upstream != null) upstream.close();
        if (s3 != null) s3.close();
    }

    private Engine engineOnTheBucket(String name) {
        return engineOnTheBucket(name, s3.settings("cluster/").withPartSize(S3Settings.MIN_PART_SIZE));
    }

    private Engine engineOnTheBucket(String name, S3Settings bucket) {
        Engine engine = Engine.open(temp.resolve(name), EngineOptions.withVault(NO_PASSPHRASE).withS3Storage(bucket));
        engine.addUpstream(upstream.hostPort(), upstream.url(), null);
        engine.createRule(new RuleDraft("upstream-all", upstream.hostPort() + "/*", "up/*", null, null));
        engine.startServer("127.0.0.1:0");
        return engine;
    }

    @Test
    void pullsThroughIntoTheBucketAndASecondEngineServesFromIt() throws Exception {
        TestImage image = new TestImages(18).ociImageWithBigLayer(temp, 12);
        new RegistryPusher(upstream.url()).push("team/app", "1.0", image);
        List<String> blobDigests = image.blobs().stream().map(TestBlob::digest).toList();

        try (Engine first = engineOnTheBucket("node1")) {
            skopeo.copy("127.0.0.1:" + first.port() + "/up/team/app:1.0", temp.resolve("copy1"));
        }
        Skopeo.CopiedImage copy1 = Skopeo.read(temp.resolve("copy1")).verified();
        assertThat(copy1.manifestDigest()).isEqualTo(image.digest());
        assertThat(copy1.blobDigests()).containsExactlyInAnyOrderElementsOf(blobDigests);
        // Every blob and the manifest are objects under their content address (the filesystem backend keeps each
        // object as a file named by its key), and no upload was left unfinished.
        assertThat(objectKeys()).containsAll(Stream.concat(blobDigests.stream(), Stream.of(image.digest()))
                .map(d -> "cluster/blobs/sha256/" + d.substring("sha256:".length())).toList());

        long upstreamBlobGets = blobGets();
        assertThat(upstreamBlobGets).as("the first engine fetched each blob from the upstream").isGreaterThanOrEqualTo(blobDigests.size());
        try (Engine second = engineOnTheBucket("node2")) {
            skopeo.copy("127.0.0.1:" + second.port() + "/up/team/app:1.0", temp.resolve("copy2"));
        }
        Skopeo.CopiedImage copy2 = Skopeo.read(temp.resolve("copy2")).verified();
        assertThat(copy2.blobDigests()).containsExactlyInAnyOrderElementsOf(blobDigests);
        assertThat(blobGets()).as("blob GETs at the upstream after the second engine's pull").isEqualTo(upstreamBlobGets);
    }

    @Test
    void withPresignedRedirectsAWarmBlobIsFetchedFromTheBucketItself() throws Exception {
        TestImage image = new TestImages(19).ociImage();
        new RegistryPusher(upstream.url()).push("team/redirected", "1", image);
        S3Settings redirecting = s3.settings("redirects/").withPresignedRedirects(Duration.ofMinutes(5));
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

        try (Engine engine = engineOnTheBucket("redirecting", redirecting)) {
            String base = "http://127.0.0.1:" + engine.port() + "/v2/up/team/redirected/blobs/";
            TestBlob layer = image.layers().get(0);
            URI blobUri = URI.create(base + layer.digest());
            HttpResponse<byte[]> cold = http.send(HttpRequest.newBuilder(blobUri).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(cold.statusCode()).as("a cold blob is streamed by the engine").isEqualTo(200);

            HttpResponse<byte[]> warm = http.send(HttpRequest.newBuilder(blobUri).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(warm.statusCode()).isEqualTo(307);
            assertThat(warm.headers().firstValue("Docker-Content-Digest")).hasValue(layer.digest());
            URI location = URI.create(warm.headers().firstValue("Location").orElseThrow());
            assertThat(location.getPort()).isEqualTo(s3.port());
            HttpResponse<byte[]> fromBucket = http.send(HttpRequest.newBuilder(location).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(fromBucket.statusCode()).isEqualTo(200);
            assertThat(Digest.of("sha256", fromBucket.body()).toString()).isEqualTo(layer.digest());

            HttpResponse<Void> head = http.send(HttpRequest.newBuilder(blobUri).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.discarding());
            assertThat(head.statusCode()).as("HEAD is answered here").isEqualTo(200);

            // A real client follows the redirect and checks every digest.
            skopeo.copy("127.0.0.1:" + engine.port() + "/up/team/redirected:1", temp.resolve("redirected"));
            assertThat(Skopeo.read(temp.resolve("redirected")).verified().manifestDigest()).isEqualTo(image.digest());
        }
    }

    private long blobGets() {
        return upstream.requestLog().stream()
                .filter(e -> e.method().equals("GET") && e.path().contains("/blobs/sha256:")).count();
    }

    private List<String> objectKeys() throws Exception {
        Path bucket = s3.bucketFolder();
        try (Stream<Path> files = Files.walk(bucket)) {
            return files.filter(Files::isRegularFile).map(f -> bucket.relativize(f).toString()).toList();
        }
    }
}
