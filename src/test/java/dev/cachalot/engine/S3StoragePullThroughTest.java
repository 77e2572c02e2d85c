package dev.cachalot.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.credentials.Keyring;
import dev.cachalot.credentials.PassphrasePrompt;
import dev.cachalot.credentials.VaultOptions;
import dev.cachalot.storage.S3Settings;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.S3ProxyServer;
import dev.cachalot.testing.Skopeo;
import dev.cachalot.testing.TestBlob;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
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
        S3Settings bucket = s3.settings("cluster/").withPartSize(S3Settings.MIN_PART_SIZE);
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
