package dev.cachalot.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.stats.RepositoryStats;
import dev.cachalot.stats.StatsTotals;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.PrivateContainerd;
import dev.cachalot.testing.PrivateDaemons;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.Skopeo;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An image pull is counted once, whatever requests the client makes for it (stats.ImagePulls), checked with the
 * clients that made the old count wrong: skopeo --all (an index and each platform manifest) and containerd's ctr (a
 * HEAD of the tag, then GETs by digest).
 */
class ImagePullCountingTest {

    @TempDir
    Path temp;

    private DockerRegistryFixture upstream;
    private RegistryPusher pusher;
    private Engine engine;
    private String cacheHost;

    @BeforeEach
    void start() {
        upstream = DockerRegistryFixture.start();
        pusher = new RegistryPusher(upstream.url());
        engine = Engine.open(new DataFolder(temp.resolve("data")));
        engine.addUpstream(upstream.hostPort(), upstream.url(), null);
        engine.createRule(new RuleDraft("upstream-all", upstream.hostPort() + "/*", "up/*", null, null));
        engine.startServer("127.0.0.1:0");
        cacheHost = "127.0.0.1:" + engine.port();
    }

    @AfterEach
    void stop() {
        if (engine != null) engine.close();
        if (upstream != null) upstream.close();
    }

    @Test
    void aCacheThatServedNothingHasNoHitRatio() {
        StatsTotals totals = engine.totals(Instant.EPOCH);

        assertThat(totals.pulls()).isZero();
        assertThat(totals.hasHitRatio()).isFalse();
    }

    @Test
    void skopeoAllOfAnIndexIsOnePullOfTheRepositoryAndOfItsTag() {
        TestImage index = new TestImages(61).ociIndex();
        pusher.push("multi", "1.0", index);

        Skopeo.Result all = new Skopeo().copy(cacheHost + "/up/multi:1.0", temp.resolve("all"), Skopeo.all());
        assertThat(all.exitCode()).as(all.stderr()).isZero();
        engine.flushEvents();

        assertThat(engine.totals(Instant.EPOCH)).satisfies(t -> {
            assertThat(t.pulls()).isEqualTo(1);
            assertThat(t.misses()).isEqualTo(1);
            assertThat(t.hasHitRatio()).isTrue();
            assertThat(t.hitRatio()).isZero();
        });
        assertThat(pulls("up/multi")).isEqualTo(1);
        assertThat(engine.tags("up/multi")).singleElement().satisfies(t -> assertThat(t.pullCount()).isEqualTo(1));

        // the same again: everything is cached now, so this one pull is a hit
        Skopeo.Result again = new Skopeo().copy(cacheHost + "/up/multi:1.0", temp.resolve("again"), Skopeo.all());
        assertThat(again.exitCode()).as(again.stderr()).isZero();
        engine.flushEvents();

        StatsTotals totals = engine.totals(Instant.EPOCH);
        assertThat(totals.pulls()).isEqualTo(2);
        assertThat(totals.hits()).isEqualTo(1);
        assertThat(engine.tags("up/multi")).singleElement().satisfies(t -> assertThat(t.pullCount()).isEqualTo(2));
    }

    @Test
    void aPlatformNotCachedYetMakesThePullOfACachedIndexAMiss() {
        TestImage index = new TestImages(62).ociIndex();
        pusher.push("platforms", "1.0", index);
        Skopeo.Result amd64 = new Skopeo().copy(cacheHost + "/up/platforms:1.0", temp.resolve("amd64"), Skopeo.platform("linux", "amd64"));
        assertThat(amd64.exitCode()).as(amd64.stderr()).isZero();
        engine.flushEvents();

        // the index is cached and fresh (a hit); the arm64 manifest and layers are not
        Skopeo.Result arm64 = new Skopeo().copy(cacheHost + "/up/platforms:1.0", temp.resolve("arm64"), Skopeo.platform("linux", "arm64"));
        assertThat(arm64.exitCode()).as(arm64.stderr()).isZero();
        engine.flushEvents();

        StatsTotals totals = engine.totals(Instant.EPOCH);
        assertThat(totals.pulls()).isEqualTo(2);
        assertThat(totals.misses()).isEqualTo(2);
        assertThat(totals.hits()).isZero();
    }

    @Test
    void aContainerdPullResolvingByHeadCountsOnceForItsTagAsAMissThenAsAHit() {
        TestImage index = new TestImages(63).ociIndex();
        pusher.push("tool", "2.0", index);

        try (PrivateContainerd containerd = PrivateContainerd.start(temp.resolve("containerd"))) {
            PrivateDaemons.Result first = containerd.ctr(Duration.ofMinutes(2), "images", "pull", "--plain-http",
                    "--snapshotter", "native", cacheHost + "/up/tool:2.0");
            assertThat(first.exitCode()).as(first.output()).isZero();
            engine.flushEvents();

            StatsTotals afterFirst = engine.totals(Instant.EPOCH);
            assertThat(afterFirst.pulls()).isEqualTo(1);
            assertThat(afterFirst.misses()).as("a first pull fetched from the upstream, even though its GETs by digest found what the HEAD cached").isEqualTo(1);
            assertThat(afterFirst.hits()).isZero();
            assertThat(engine.tags("up/tool")).singleElement().satisfies(t -> assertThat(t.pullCount()).isEqualTo(1));

            containerd.ctr(Duration.ofSeconds(30), "images", "rm", cacheHost + "/up/tool:2.0");
            containerd.ctr(Duration.ofSeconds(30), "content", "prune", "references");
            PrivateDaemons.Result second = containerd.ctr(Duration.ofMinutes(2), "images", "pull", "--plain-http",
                    "--snapshotter", "native", cacheHost + "/up/tool:2.0");
            assertThat(second.exitCode()).as(second.output()).isZero();
        }
        engine.flushEvents();

        StatsTotals totals = engine.totals(Instant.EPOCH);
        assertThat(totals.pulls()).isEqualTo(2);
        assertThat(totals.hits()).isEqualTo(1);
        assertThat(pulls("up/tool")).isEqualTo(2);
        assertThat(engine.tags("up/tool")).singleElement().satisfies(t -> assertThat(t.pullCount()).isEqualTo(2));
    }

    private long pulls(String repository) {
        return engine.repositoryStats(Instant.EPOCH).stream().filter(r -> r.repository().equals(repository))
                .mapToLong(RepositoryStats::pulls).sum();
    }
}
