package dev.cachalot.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.engine.Engine;
import dev.cachalot.engine.RuleDraft;
import dev.cachalot.registry.RawHttp;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.testing.CountingProxy;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.RegistryReader;
import dev.cachalot.testing.TestBlob;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the engine asks the upstream for, seen by a {@link CountingProxy} in front of a real docker-registry:
 * HEADs answered from upstream HEADs without downloading, and manifests asked for with types the upstream will not
 * convert when the client named none.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PullThroughRequestsTest {

    @TempDir
    static Path temp;

    private final TestImages images = new TestImages(71);
    private DockerRegistryFixture upstream;
    private CountingProxy proxy;
    private RegistryPusher pusher;
    private Engine engine;
    private RegistryReader cache;

    @BeforeAll
    void startUpstreamAndEngine() {
        upstream = DockerRegistryFixture.start();
        proxy = CountingProxy.start(upstream.url());
        pusher = new RegistryPusher(upstream.url());
        engine = Engine.open(new DataFolder(temp.resolve("data")));
        engine.addUpstream(proxy.hostPort(), proxy.url(), null);
        engine.createRule(new RuleDraft("through-proxy", proxy.hostPort() + "/*", "up/*", null, null));
        engine.startServer("127.0.0.1:0");
        cache = new RegistryReader("http://127.0.0.1:" + engine.port());
    }

    @AfterAll
    void stop() {
        if (engine != null) engine.close();
        if (proxy != null) proxy.close();
        if (upstream != null) upstream.close();
    }

    @Test
    void headOfAColdBlobAsksTheUpstreamWithAHeadAndDownloadsNothing() {
        TestImage image = images.ociImage();
        pusher.push("head/app", "1", image);
        TestBlob layer = image.layers().get(0);
        String upstreamPath = "/v2/head/app/blobs/" + layer.digest();
        proxy.resetCounts();

        RegistryReader.Fetched head = cache.head("/v2/up/head/app/blobs/" + layer.digest());

        assertThat(head.status()).isEqualTo(200);
        assertThat(head.headers().firstValue("Content-Length")).hasValue(Long.toString(layer.size()));
        assertThat(head.digestHeader()).isEqualTo(layer.digest());
        assertThat(proxy.count("GET", upstreamPath)).isZero();
        assertThat(proxy.count("HEAD", upstreamPath)).isEqualTo(1);
        assertThat(proxy.bodyBytesSent()).isZero();

        RegistryReader.BlobRead get = cache.blob("up/head/app", layer.digest());
        assertThat(get.status()).isEqualTo(200);
        assertThat(get.digest()).isEqualTo(layer.digest());
        assertThat(proxy.count("GET", upstreamPath)).isEqualTo(1);
    }

    @Test
    void headOfABlobTheUpstreamDoesNotHaveIsBlobUnknown() {
        TestImage image = images.ociImage();
        pusher.push("head/other", "1", image);
        String missing = "sha256:" + "0".repeat(64);

        RegistryReader.Fetched head = cache.head("/v2/up/head/other/blobs/" + missing);

        assertThat(head.status()).isEqualTo(404);
        assertThat(proxy.count("GET", "/v2/head/other/blobs/" + missing)).isZero();
    }

    @Test
    void aClientWithoutAcceptGetsTheDockerV2ManifestNotAnError() throws Exception {
        TestImage image = images.dockerImage();
        pusher.push("accept/none", "1", image);

        RawHttp.Answer answer = RawHttp.get(engine.port(), "/v2/up/accept/none/manifests/1");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.header("Docker-Content-Digest")).isEqualTo(image.digest());
        assertThat(answer.header("Content-Type")).isEqualTo(TestImages.DOCKER_MANIFEST);
        assertThat(answer.body()).isEqualTo(image.manifest());
    }

    @Test
    void aClientAcceptingAnythingGetsTheDockerV2ManifestNotAnError() throws Exception {
        TestImage image = images.dockerImage();
        pusher.push("accept/any", "1", image);

        RawHttp.Answer answer = RawHttp.send(engine.port(), "GET /v2/up/accept/any/manifests/1 HTTP/1.1\r\n"
                + "Host: 127.0.0.1\r\nAccept: */*\r\nConnection: close\r\n\r\n");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.header("Docker-Content-Digest")).isEqualTo(image.digest());
        assertThat(answer.header("Content-Type")).isEqualTo(TestImages.DOCKER_MANIFEST);
        assertThat(proxy.exchanges()).filteredOn(e -> e.path().equals("/v2/accept/any/manifests/1"))
                .allSatisfy(e -> assertThat(e.requestHeader("Accept")).contains(TestImages.DOCKER_MANIFEST));
    }
}
