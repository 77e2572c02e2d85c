package dev.cachalot.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.engine.Engine;
import dev.cachalot.engine.RuleDraft;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.PrometheusServer;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.RegistryReader;
import dev.cachalot.testing.Skopeo;
import dev.cachalot.testing.TestBlob;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalDouble;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /metrics} as a real Prometheus server sees it: Debian's prometheus scrapes the engine every second while
 * skopeo pulls an image through it from a real upstream (docker-registry); the counters are read back through
 * Prometheus's query API, so the exposition is checked by the program that has to parse it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsScrapedByPrometheusTest {

    @TempDir
    static Path temp;

    private DockerRegistryFixture upstream;
    private Engine engine;
    private PrometheusServer prometheus;
    private String cacheHost;

    @BeforeAll
    void start() {
        upstream = DockerRegistryFixture.start();
        engine = Engine.open(new DataFolder(temp.resolve("data")));
        engine.addUpstream(upstream.hostPort(), upstream.url(), null);
        engine.createRule(new RuleDraft("upstream-all", upstream.hostPort() + "/*", "up/*", null, null));
        engine.startServer("127.0.0.1:0");
        cacheHost = "127.0.0.1:" + engine.port();
        prometheus = PrometheusServer.scraping(cacheHost, temp.resolve("prometheus"));
    }

    @AfterAll
    void stop() {
        if (prometheus != null) prometheus.close();
        if (engine != null) engine.close();
        if (upstream != null) upstream.close();
    }

    @Test
    void aPullThroughMovesTheRequestAndByteCountersPrometheusScrapes() {
        TestImage image = new TestImages(7).dockerImage();
        new RegistryPusher(upstream.url()).push("team/app", "1.0", image);
        long blobBytes = image.blobs().stream().mapToLong(TestBlob::size).sum();
        Skopeo skopeo = new Skopeo();

        skopeo.copy(cacheHost + "/up/team/app:1.0", temp.resolve("first"));

        awaitAtLeast("sum(cachalot_http_requests_total{method=\"GET\",route=\"blobs\",status=\"200\"})", image.blobs().size());
        awaitAtLeast("sum(cachalot_http_requests_total{route=\"manifests\",status=\"200\"})", 1);
        awaitAtLeast("cachalot_upstream_fetched_bytes_total", blobBytes);
        awaitAtLeast("sum(cachalot_pulls_total{kind=\"blob\",outcome=\"miss\"})", image.blobs().size());
        awaitAtLeast("sum(cachalot_http_request_duration_seconds_count{route=\"blobs\"})", image.blobs().size());
        assertThat(prometheus.query("cachalot_cache_size_bytes").orElseThrow()).isGreaterThan(0);
        assertThat(prometheus.query("jvm_memory_used_bytes{area=\"heap\"}")).isPresent();

        skopeo.copy(cacheHost + "/up/team/app:1.0", temp.resolve("second"));

        awaitAtLeast("sum(cachalot_pulls_total{kind=\"blob\",outcome=\"hit\"})", image.blobs().size());
        awaitAtLeast("cachalot_cache_served_bytes_total", blobBytes);
    }

    @Test
    void upstreamErrorsAreCountedByLoginServerAndKindAndNoRepositoryOrTagBecomesALabel() {
        TestImage image = new TestImages(8).dockerImage();
        new RegistryPusher(upstream.url()).push("secret-project/app", "v9-private", image);
        RegistryReader cache = new RegistryReader("http://" + cacheHost);
        cache.manifest("up/secret-project/app", "v9-private", TestImages.DOCKER_MANIFEST);
        cache.manifest("up/secret-project/app", "no-such-tag", TestImages.DOCKER_MANIFEST);

        String exposition = cache.get("/metrics").text();

        assertThat(exposition).contains("cachalot_http_requests_total{method=\"GET\",route=\"manifests\",status=\"404\"}")
                .contains("cachalot_upstream_errors_total{kind=\"not_found\",upstream=\"" + upstream.hostPort() + "\"} 1.0")
                .contains("cachalot_pull_events_lost_total{reason=\"dropped\"} 0.0")
                .contains("cachalot_pull_events_lost_total{reason=\"refused\"} 0.0")
                .doesNotContain("secret-project").doesNotContain("v9-private").doesNotContain("no-such-tag");
    }

    private void awaitAtLeast(String promql, double expected) {
        Awaitility.await(promql + " >= " + expected).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> {
                    OptionalDouble value = prometheus.query(promql);
                    assertThat(value).as("%s (up: %s)", promql, prometheus.targetUp()).isPresent();
                    assertThat(value.getAsDouble()).as(promql).isGreaterThanOrEqualTo(expected);
                });
    }
}
