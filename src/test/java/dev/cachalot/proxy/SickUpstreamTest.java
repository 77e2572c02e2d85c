package dev.cachalot.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.cachalot.engine.Engine;
import dev.cachalot.engine.RuleDraft;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.testing.CountingProxy;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.Fault;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.RegistryReader;
import dev.cachalot.testing.TestBlob;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cache must answer from disk while its upstream is sick. Each case has its own {@link CountingProxy} in front
 * of a real docker-registry (so its own upstream, with its own circuit breaker): the image is cached through it
 * while it is healthy, then the proxy turns hung (it reads every request and never answers) or rate-limiting.
 * The counts say how often the engine still asked; no case measures time.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SickUpstreamTest {

    private static final String ACCEPT = TestImages.ACCEPT_ALL_MANIFESTS;
    /** A hang guard only: far above the revalidation deadline, far below the upstream client's other timeouts. */
    private static final Duration ANSWER_LIMIT = Duration.ofSeconds(60);
    private static final Duration NEVER = Duration.ofHours(1);

    @TempDir
    static Path temp;

    private final TestImages images = new TestImages(97);
    private DockerRegistryFixture upstream;
    private CountingProxy hung;
    private CountingProxy limiting;
    private RegistryPusher pusher;
    private Engine engine;
    private RegistryReader cache;

    @BeforeAll
    void startUpstreamAndEngine() {
        upstream = DockerRegistryFixture.start();
        hung = CountingProxy.start(upstream.url());
        limiting = CountingProxy.start(upstream.url());
        pusher = new RegistryPusher(upstream.url());
        engine = Engine.open(new DataFolder(temp.resolve("data")));
        engine.addUpstream(hung.hostPort(), hung.url(), null);
        engine.addUpstream(limiting.hostPort(), limiting.url(), null);
        engine.createRule(new RuleDraft("through-hung", hung.hostPort() + "/*", "hung/*", null, null));
        engine.createRule(new RuleDraft("through-limiting", limiting.hostPort() + "/*", "limited/*", null, null));
        engine.startServer("127.0.0.1:0");
        cache = new RegistryReader("http://127.0.0.1:" + engine.port());
    }

    @AfterAll
    void stop() {
        if (engine != null) engine.close();
        if (hung != null) hung.close();
        if (limiting != null) limiting.close();
        if (upstream != null) upstream.close();
    }

    @Test
    void aHungUpstreamCostsOneRevalidationAndCachedContentIsStillServed() throws Exception {
        TestImage image = images.ociImage();
        pusher.push("app", "1", image);
        pullWholeImage("hung/app", "1", image);
        hung.inject(Fault.delay(NEVER), 10_000);
        hung.resetCounts();

        for (int i = 0; i < 8; i++) {
            RegistryReader.Fetched tag = assertTimeoutPreemptively(ANSWER_LIMIT, () -> cache.manifest("hung/app", "1", ACCEPT));
            assertThat(tag.status()).isEqualTo(200);
            assertThat(tag.headers().firstValue("X-Cachalot-Source")).hasValue("stale");
            assertThat(tag.digestHeader()).isEqualTo(image.digest());
        }
        List<RegistryReader.Fetched> together = concurrently(16, () -> cache.manifest("hung/app", "1", ACCEPT));
        assertThat(together).allSatisfy(tag -> {
            assertThat(tag.status()).isEqualTo(200);
            assertThat(tag.digestHeader()).isEqualTo(image.digest());
        });

        RegistryReader.Fetched byDigest = cache.manifest("hung/app", image.digest(), ACCEPT);
        assertThat(byDigest.status()).isEqualTo(200);
        assertThat(byDigest.headers().firstValue("X-Cachalot-Source")).hasValue("cache");
        for (TestBlob blob : image.blobs()) {
            RegistryReader.BlobRead read = cache.blob("hung/app", blob.digest());
            assertThat(read.status()).isEqualTo(200);
            assertThat(read.digest()).isEqualTo(blob.digest());
        }
        RegistryReader.Fetched uncached = assertTimeoutPreemptively(ANSWER_LIMIT, () -> cache.manifest("hung/app", "2", ACCEPT));
        assertThat(uncached.status()).isEqualTo(503);

        // One revalidation ran into the deadline and opened the breaker; at most one probe more if its pause ran out
        // on a slow machine. Nothing else was asked: not the digests, not the uncached tag.
        assertThat(hung.count("HEAD", "/v2/app/manifests/1")).isBetween(1L, 2L);
        assertThat(hung.totalRequests()).isEqualTo(hung.count("HEAD", "/v2/app/manifests/1"));
    }

    @Test
    void aRetryAfterKeepsCachedPullsOffTheUpstreamForThatLong() {
        TestImage image = images.ociImage();
        pusher.push("limited-app", "1", image);
        pullWholeImage("limited/limited-app", "1", image);
        limiting.inject(Fault.tooManyRequests(600), 10_000);
        limiting.resetCounts();

        for (int i = 0; i < 5; i++) {
            RegistryReader.Fetched tag = assertTimeoutPreemptively(ANSWER_LIMIT, () -> cache.manifest("limited/limited-app", "1", ACCEPT));
            assertThat(tag.status()).isEqualTo(200);
            assertThat(tag.headers().firstValue("X-Cachalot-Source")).hasValue("stale");
            assertThat(tag.digestHeader()).isEqualTo(image.digest());
        }
        RegistryReader.Fetched uncached = cache.manifest("limited/limited-app", "2", ACCEPT);
        assertThat(uncached.status()).isEqualTo(429);
        assertThat(uncached.headers().firstValue("Retry-After")).isPresent();

        assertThat(limiting.totalRequests()).as("one 429, then the upstream is left alone as it asked").isEqualTo(1);
    }

    private void pullWholeImage(String repository, String tag, TestImage image) {
        RegistryReader.Fetched manifest = cache.manifest(repository, tag, ACCEPT);
        assertThat(manifest.status()).isEqualTo(200);
        assertThat(manifest.digestHeader()).isEqualTo(image.digest());
        for (TestBlob blob : image.blobs()) {
            assertThat(cache.blob(repository, blob.digest()).digest()).isEqualTo(blob.digest());
        }
    }

    private static <T> List<T> concurrently(int clients, java.util.concurrent.Callable<T> pull) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < clients; i++) futures.add(pool.submit(pull));
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) results.add(f.get(ANSWER_LIMIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS));
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}
