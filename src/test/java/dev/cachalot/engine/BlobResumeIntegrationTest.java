package dev.cachalot.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachalot.storage.DataFolder;
import dev.cachalot.testing.CountingProxy;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.Fault;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.RegistryReader;
import dev.cachalot.testing.TestBlob;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Broken upstream connections while a blob fills: the engine resumes with a {@code Range} request and the client
 * never notices; corruption is never "resumed" into the cache. Upstream: Debian's docker-registry (which answers
 * ranges on blobs) behind {@link CountingProxy}, which breaks or corrupts chosen responses and counts what reaches
 * the registry.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BlobResumeIntegrationTest {

    private static final String BLOB_PATHS = "/v2/.+/blobs/sha256:.+";
    private static final int MIB = 1024 * 1024;

    @TempDir
    static Path temp;

    private DockerRegistryFixture registry;
    private CountingProxy proxy;
    private RegistryPusher pusher;
    private Engine engine;
    private RegistryReader cache;
    private final TestImages images = new TestImages(7);

    @BeforeAll
    void start() {
        registry = DockerRegistryFixture.start();
        proxy = CountingProxy.start(registry.url());
        pusher = new RegistryPusher(registry.url());
        engine = Engine.open(new DataFolder(temp.resolve("data")));
        engine.addUpstream(proxy.hostPort(), proxy.url(), null);
        engine.createRule(new RuleDraft("flaky-upstream", proxy.hostPort() + "/*", "flaky/*", null, null));
        engine.startServer("127.0.0.1:0");
        cache = new RegistryReader("http://127.0.0.1:" + engine.port());
    }

    @AfterEach
    void clearFaults() {
        proxy.clearFaults();
    }

    @AfterAll
    void stop() {
        if (engine != null) engine.close();
        if (proxy != null) proxy.close();
        if (registry != null) registry.close();
    }

    @Test
    void aConnectionBrokenMidBlobIsResumedWithOneRangedGetAndTheClientGetsTheRightDigest() {
        TestBlob layer = pushBigLayer("resume/app", 8);
        String path = "/v2/resume/app/blobs/" + layer.digest();
        long breakAt = 3L * MIB + 1000;
        proxy.inject(Fault.closeAfterBodyBytes(breakAt).onlyFor("GET", BLOB_PATHS), 1);

        RegistryReader.BlobRead read = cache.blob("flaky/resume/app", layer.digest());

        assertThat(read.status()).isEqualTo(200);
        assertThat(read.size()).isEqualTo(layer.size());
        assertThat(read.digest()).isEqualTo(layer.digest());
        List<CountingProxy.Exchange> gets = blobGets(path);
        assertThat(gets).hasSize(2);
        assertThat(gets.get(0).requestHeader("Range")).isNull();
        String range = gets.get(1).requestHeader("Range");
        assertThat(range).matches("bytes=\\d+-");
        long resumedAt = Long.parseLong(range.substring("bytes=".length(), range.length() - 1));
        assertThat(resumedAt).isPositive().isLessThanOrEqualTo(breakAt);
        assertThat(gets.get(1).status()).isEqualTo(206);
        assertThat(gets.get(1).responseBodyBytes()).isEqualTo(layer.size() - resumedAt);

        RegistryReader.BlobRead warm = cache.blob("flaky/resume/app", layer.digest());
        assertThat(warm.headers().firstValue("X-Cachalot-Source")).hasValue("cache");
        assertThat(warm.digest()).isEqualTo(layer.digest());
        assertThat(blobGets(path)).hasSize(2);
    }

    @Test
    void aDownloadThatKeepsBreakingGivesUpAfterThreeResumesAndCachesNothing() {
        TestBlob layer = pushBigLayer("resume/hopeless", 8);
        String path = "/v2/resume/hopeless/blobs/" + layer.digest();
        proxy.inject(Fault.closeAfterBodyBytes(MIB).onlyFor("GET", BLOB_PATHS), 4);

        assertThatThrownBy(() -> cache.blob("flaky/resume/hopeless", layer.digest()))
                .isInstanceOf(UncheckedIOException.class);

        assertThat(blobGets(path)).hasSize(4);
        assertThat(blobGets(path).subList(1, 4)).allSatisfy(e -> assertThat(e.requestHeader("Range")).startsWith("bytes="));
        assertNothingCached(layer);
    }

    @Test
    void aCorruptedBlobIsNotResumedAndNothingIsCached() {
        TestBlob layer = pushBigLayer("resume/corrupt", 4);
        String path = "/v2/resume/corrupt/blobs/" + layer.digest();
        proxy.inject(Fault.corruptBodyByte(2L * MIB).onlyFor("GET", BLOB_PATHS), 1);

        assertThatThrownBy(() -> cache.blob("flaky/resume/corrupt", layer.digest()))
                .isInstanceOf(UncheckedIOException.class);

        assertThat(blobGets(path)).hasSize(1);
        assertNothingCached(layer);

        RegistryReader.BlobRead retry = cache.blob("flaky/resume/corrupt", layer.digest());
        assertThat(retry.status()).isEqualTo(200);
        assertThat(retry.digest()).isEqualTo(layer.digest());
        assertThat(blobGets(path)).hasSize(2);
    }

    private TestBlob pushBigLayer(String repository, int mib) {
        TestImage image = images.ociImageWithBigLayer(temp.resolve("layers"), mib);
        pusher.push(repository, "1", image);
        return image.layers().stream().filter(TestBlob::inFile).findFirst().orElseThrow();
    }

    private List<CountingProxy.Exchange> blobGets(String path) {
        return proxy.exchanges().stream().filter(e -> e.method().equals("GET") && e.path().equals(path)).toList();
    }

    private void assertNothingCached(TestBlob layer) {
        engine.flushEvents();
        DataFolder folder = engine.dataFolder();
        String hex = layer.digest().substring("sha256:".length());
        assertThat(folder.blobs().resolve("sha256").resolve(hex.substring(0, 2)).resolve(hex)).doesNotExist();
        // The fill deletes its temp file before it fails its readers, so the client's error comes after the delete.
        try (Stream<Path> tmp = Files.list(folder.tmp())) {
            assertThat(tmp).isEmpty();
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
