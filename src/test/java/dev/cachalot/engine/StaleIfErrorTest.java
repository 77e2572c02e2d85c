package dev.cachalot.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Freshness and stale-if-error against a real upstream (docker-registry) that the test stops, restarts, or puts
 * behind a {@link CountingProxy} that rate-limits and fails. One engine with three rules over the same upstream:
 * {@code up/*} revalidates (the default), {@code ttl/*} trusts its cache for an hour, {@code flaky/*} goes through
 * the proxy.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StaleIfErrorTest {
    private static final String ACCEPT = TestImages.ACCEPT_ALL_MANIFESTS;
    /** A hang guard: the upstream client's retries are bounded well below this. */
    private static final Duration ANSWER_LIMIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path temp;

    private final TestImages images = new TestImages(23);
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
        engine.addUpstream(upstream.hostPort(), upstream.url(), null);
        engine.addUpstream(proxy.hostPort(), proxy.url(), null);
        engine.createRule(new RuleDraft("revalidating", upstream.hostPort() + "/*", "up/*", null, null));
        engine.createRule(new RuleDraft("trusting-ttl", upstream.hostPort() + "/*", "ttl/*", null, "ttl:1h"));
        engine.createRule(new RuleDraft("through-proxy", proxy.hostPort() + "/*", "flaky/*", null, null));
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
    void withTheUpstreamDownCachedTagsDigestsAndBlobsStillPullAndAnUncachedTagIs503() {
        TestImage v1 = images.ociImage();
        pusher.push("down/app", "1", v1);
        pullWholeImage("up/down/app", "1", v1, "upstream");
        long staleBefore = staleServes();

        upstream.stop();
        try {
            RegistryReader.Fetched tag = assertTimeoutPreemptively(ANSWER_LIMIT, () -> cache.manifest("up/down/app", "1", ACCEPT));
            assertThat(tag.status()).isEqualTo(200);
            assertThat(tag.headers().firstValue("X-Cachalot-Source")).hasValue("stale");
            assertThat(tag.digestHeader()).isEqualTo(v1.digest());
            assertThat(tag.body()).isEqualTo(v1.manifest());

            RegistryReader.Fetched byDigest = cache.manifest("up/down/app", v1.digest(), ACCEPT);
            assertThat(byDigest.status()).isEqualTo(200);
            assertThat(byDigest.headers().firstValue("X-Cachalot-Source")).hasValue("cache");
            assertThat(byDigest.body()).isEqualTo(v1.manifest());

            for (TestBlob blob : v1.blobs()) {
                RegistryReader.BlobRead read = cache.blob("up/down/app", blob.digest());
                assertThat(read.status()).isEqualTo(200);
                assertThat(read.digest()).isEqualTo(blob.digest());
                assertThat(read.headers().firstValue("X-Cachalot-Source")).hasValue("cache");
            }

            RegistryReader.Fetched uncached = assertTimeoutPreemptively(ANSWER_LIMIT, () -> cache.manifest("up/down/app", "2", ACCEPT));
            assertThat(uncached.status()).isEqualTo(503);
            assertThat(uncached.contentType()).isEqualTo("application/json");
            JsonNode error = specError(uncached);
            assertThat(error.get("code").asText()).isEqualTo("UNKNOWN");
            assertThat(error.get("message").asText()).contains("unavailable");

            engine.flushEvents();
            assertThat(staleServes()).isGreaterThan(staleBefore);
        } finally {
            upstream.restart();
        }

        TestImage v2 = images.ociImage(TestImage.Platform.LINUX_AMD64, 2);
        pusher.push("down/app", "1", v2);
        RegistryReader.Fetched moved = cache.manifest("up/down/app", "1", ACCEPT);
        assertThat(moved.status()).isEqualTo(200);
        assertThat(moved.headers().firstValue("X-Cachalot-Source")).hasValue("upstream");
        assertThat(moved.digestHeader()).isEqualTo(v2.digest());
    }

    @Test
    void aTtlRuleServesItsCachedTagWithoutAskingTheUpstreamWhileTheDefaultRevalidates() {
        TestImage v1 = images.ociImage();
        TestImage v2 = images.ociImage(TestImage.Platform.LINUX_AMD64, 2);
        String upstreamPath = "/v2/ttl-app/manifests/1";
        pusher.push("ttl-app", "1", v1);
        assertThat(cache.manifest("ttl/ttl-app", "1", ACCEPT).digestHeader()).isEqualTo(v1.digest());
        assertThat(cache.manifest("up/ttl-app", "1", ACCEPT).digestHeader()).isEqualTo(v1.digest());

        pusher.push("ttl-app", "1", v2);
        long headsBefore = upstream.countRequests("HEAD", upstreamPath);
        long getsBefore = upstream.countRequests("GET", upstreamPath);

        RegistryReader.Fetched trusted = cache.manifest("ttl/ttl-app", "1", ACCEPT);
        assertThat(trusted.headers().firstValue("X-Cachalot-Source")).hasValue("cache");
        assertThat(trusted.digestHeader()).isEqualTo(v1.digest());
        assertThat(upstream.countRequests("HEAD", upstreamPath)).as("HEADs upstream inside the TTL").isEqualTo(headsBefore);
        assertThat(upstream.countRequests("GET", upstreamPath)).as("GETs upstream inside the TTL").isEqualTo(getsBefore);

        RegistryReader.Fetched revalidated = cache.manifest("up/ttl-app", "1", ACCEPT);
        assertThat(revalidated.headers().firstValue("X-Cachalot-Source")).hasValue("upstream");
        assertThat(revalidated.digestHeader()).isEqualTo(v2.digest());
        assertThat(upstream.countRequests("HEAD", upstreamPath)).as("the default policy revalidates with a HEAD").isEqualTo(headsBefore + 1);
    }

    @Test
    void aCachedTagIsServedStaleWhileTheUpstreamRateLimitsOrFails() {
        TestImage image = images.ociImage();
        pusher.push("flaky/app", "1", image);
        assertThat(cache.manifest("flaky/flaky/app", "1", ACCEPT).headers().firstValue("X-Cachalot-Source")).hasValue("upstream");
        String manifests = "/v2/flaky/app/manifests/.+";

        // More faults than the client's bounded retries: every attempt is refused.
        proxy.inject(Fault.tooManyRequests(0).onlyFor(null, manifests), 20);
        try {
            RegistryReader.Fetched limited = assertTimeoutPreemptively(ANSWER_LIMIT, () -> cache.manifest("flaky/flaky/app", "1", ACCEPT));
            assertThat(limited.status()).isEqualTo(200);
            assertThat(limited.headers().firstValue("X-Cachalot-Source")).hasValue("stale");
            assertThat(limited.digestHeader()).isEqualTo(image.digest());
        } finally {
            proxy.clearFaults();
        }

        proxy.inject(Fault.status(503).onlyFor(null, manifests), 20);
        try {
            RegistryReader.Fetched failing = assertTimeoutPreemptively(ANSWER_LIMIT, () -> cache.manifest("flaky/flaky/app", "1", ACCEPT));
            assertThat(failing.status()).isEqualTo(200);
            assertThat(failing.headers().firstValue("X-Cachalot-Source")).hasValue("stale");

            RegistryReader.Fetched uncached = assertTimeoutPreemptively(ANSWER_LIMIT, () -> cache.manifest("flaky/flaky/app", "2", ACCEPT));
            assertThat(uncached.status()).isEqualTo(503);
            assertThat(specError(uncached).get("code").asText()).isEqualTo("UNKNOWN");
        } finally {
            proxy.clearFaults();
        }

        assertThat(cache.manifest("flaky/flaky/app", "1", ACCEPT).headers().firstValue("X-Cachalot-Source"))
                .as("revalidated again once the upstream recovers").hasValue("cache");
    }

    // ------------------------------------------------------------------ helpers

    private void pullWholeImage(String repository, String tag, TestImage image, String expectedSource) {
        RegistryReader.Fetched manifest = cache.manifest(repository, tag, ACCEPT);
        assertThat(manifest.status()).isEqualTo(200);
        assertThat(manifest.headers().firstValue("X-Cachalot-Source")).hasValue(expectedSource);
        assertThat(manifest.digestHeader()).isEqualTo(image.digest());
        for (TestBlob blob : image.blobs()) {
            assertThat(cache.blob(repository, blob.digest()).digest()).isEqualTo(blob.digest());
        }
    }

    private long staleServes() {
        engine.flushEvents();
        return engine.totals(Instant.EPOCH).stale();
    }

    private static JsonNode specError(RegistryReader.Fetched response) {
        try {
            JsonNode errors = JSON.readTree(response.body()).get("errors");
            assertThat(errors).as("spec error body: %s", response.text()).isNotNull();
            assertThat(errors.isArray()).isTrue();
            assertThat(errors).isNotEmpty();
            return errors.get(0);
        } catch (java.io.IOException e) {
            throw new AssertionError("not a JSON error body: " + response.text(), e);
        }
    }
}
