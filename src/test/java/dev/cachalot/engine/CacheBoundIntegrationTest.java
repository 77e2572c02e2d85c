package dev.cachalot.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.storage.DataFolder;
import dev.cachalot.testing.CountingProxy;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.RegistryReader;
import dev.cachalot.testing.TestBlob;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache size bound through the whole engine: images pulled through from Debian's docker-registry (behind
 * {@link CountingProxy}, to see what reaches the upstream), then the janitor's check run directly.
 */
class CacheBoundIntegrationTest {

    private static final String ACCEPT_ALL = TestImages.ACCEPT_ALL_MANIFESTS;
    private static final long MIB = 1024 * 1024;

    @TempDir
    Path temp;

    private DockerRegistryFixture registry;
    private CountingProxy proxy;
    private Engine engine;
    private RegistryReader cache;
    private final TestImages images = new TestImages(11);

    @BeforeEach
    void start() {
        registry = DockerRegistryFixture.start();
        proxy = CountingProxy.start(registry.url());
        engine = Engine.open(new DataFolder(temp.resolve("data")));
        engine.addUpstream(proxy.hostPort(), proxy.url(), null);
        engine.createRule(new RuleDraft("bounded-upstream", proxy.hostPort() + "/*", "up/*", null, null));
        engine.startServer("127.0.0.1:0");
        cache = new RegistryReader("http://127.0.0.1:" + engine.port());
    }

    @AfterEach
    void stop() {
        if (engine != null) engine.close();
        if (proxy != null) proxy.close();
        if (registry != null) registry.close();
    }

    @Test
    void keepsTheCacheWithinItsBoundAndTheMostRecentlyPulledImageCachedWhileEvictedOnesPullAgainFromUpstream() throws Exception {
        RegistryPusher pusher = new RegistryPusher(registry.url());
        List<TestImage> pushed = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            TestImage image = images.ociImageWithBigLayer(temp.resolve("layers"), 1);
            pusher.push("app" + i, "1", image);
            pushed.add(image);
        }
        long bound = 5 * MIB / 2;
        engine.updateSettings(new EngineSettings(engine.settings().listen(), engine.settings().defaultFreshness(), bound));

        for (int i = 0; i < 4; i++) {
            pullFully("up/app" + i, pushed.get(i));
            Thread.sleep(5); // distinct pull times, so "least recently pulled" has one answer
        }
        engine.flushEvents();
        assertThat(engine.cacheSizeBytes()).isGreaterThan(bound);

        CacheJanitor.Report report = engine.janitor().enforceBound();

        assertThat(report.manifestsEvicted()).isPositive();
        assertThat(engine.cacheSizeBytes()).isLessThanOrEqualTo(bound);
        assertThat(cache.get("/metrics").text()).as("evictions reach the metrics")
                .contains("cachalot_cache_evicted_manifests_total " + (double) report.manifestsEvicted());
        List<String> cachedNames = engine.repositories().stream().map(RepositoryView::name).toList();
        assertThat(cachedNames).contains("up/app3").doesNotContain("up/app0", "up/app1");

        // The most recently pulled image is still served from the cache, without asking the upstream for content.
        proxy.resetCounts();
        RegistryReader.Fetched recent = cache.manifest("up/app3", pushed.get(3).digest(), ACCEPT_ALL);
        assertThat(recent.headers().firstValue("X-Cachalot-Source")).hasValue("cache");
        for (TestBlob blob : pushed.get(3).blobs()) {
            RegistryReader.BlobRead read = cache.blob("up/app3", blob.digest());
            assertThat(read.headers().firstValue("X-Cachalot-Source")).hasValue("cache");
            assertThat(read.digest()).isEqualTo(blob.digest());
        }
        assertThat(proxy.totalRequests()).isZero();

        // An evicted image comes back from the upstream, byte for byte.
        RegistryReader.Fetched again = cache.manifest("up/app0", "1", ACCEPT_ALL);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.headers().firstValue("X-Cachalot-Source")).hasValue("upstream");
        assertThat(again.body()).isEqualTo(pushed.get(0).manifest());
        for (TestBlob blob : pushed.get(0).blobs()) {
            RegistryReader.BlobRead read = cache.blob("up/app0", blob.digest());
            assertThat(read.status()).isEqualTo(200);
            assertThat(read.digest()).isEqualTo(blob.digest());
        }
        assertThat(proxy.forwarded("GET", "/v2/app0/manifests/1")).isEqualTo(1);
    }

    @Test
    void aLargeFillTriggersTheBoundCheckWithoutWaitingForTheSchedule() throws Exception {
        RegistryPusher pusher = new RegistryPusher(registry.url());
        TestImage old = images.ociImageWithBigLayer(temp.resolve("layers"), 4);
        pusher.push("old", "1", old);
        pullFully("up/old", old);
        long bound = 25 * MIB; // over it with both images, and 90% of it still holds the large one alone
        engine.updateSettings(new EngineSettings(engine.settings().listen(), engine.settings().defaultFreshness(), bound));
        TestImage large = images.ociImageWithBigLayer(temp.resolve("layers"), (int) (CacheJanitor.LARGE_FILL_BYTES / MIB) + 6);
        pusher.push("large", "1", large);

        pullFully("up/large", large);
        engine.flushEvents();

        // The check runs on the janitor's thread right after the event; the minute schedule would come much later.
        for (int i = 0; i < 200 && engine.cacheSizeBytes() > bound; i++) {
            Thread.sleep(50);
        }
        assertThat(engine.cacheSizeBytes()).isLessThanOrEqualTo(bound);
        assertThat(engine.repositories()).extracting(RepositoryView::name).contains("up/large").doesNotContain("up/old");
    }

    @Test
    void anUnboundedCacheEvictsNothing() throws Exception {
        TestImage image = images.ociImageWithBigLayer(temp.resolve("layers"), 1);
        new RegistryPusher(registry.url()).push("keep", "1", image);
        pullFully("up/keep", image);

        CacheJanitor.Report report = engine.janitor().enforceBound();

        assertThat(report.manifestsEvicted()).isZero();
        assertThat(engine.repositories()).extracting(RepositoryView::name).contains("up/keep");
    }

    private void pullFully(String repository, TestImage image) {
        RegistryReader.Fetched manifest = cache.manifest(repository, "1", ACCEPT_ALL);
        assertThat(manifest.status()).isEqualTo(200);
        for (TestBlob blob : image.blobs()) {
            assertThat(cache.blob(repository, blob.digest()).digest()).isEqualTo(blob.digest());
        }
    }
}
