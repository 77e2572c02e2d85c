package dev.cachalot.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.oci.RepositoryName;
import dev.cachalot.stats.PullEvent;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.storage.Database;
import dev.cachalot.storage.JdbcMetadataStore;
import dev.cachalot.storage.TagRecord;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.RegistryReader;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pull statistics and tag revalidation stamps are written in batches (a few commits a second, not one per request;
 * docs/decisions/0030-durable-commits.md), yet this process reads them at once, and a clean close writes
 * what waits. A real engine on its H2 data folder and a real upstream (docker-registry).
 */
class BookkeepingBatchesTest {

    private static final String ACCEPT = TestImages.ACCEPT_ALL_MANIFESTS;

    @TempDir
    Path temp;

    private final TestImages images = new TestImages(71);
    private DockerRegistryFixture upstream;
    private RegistryPusher pusher;
    private Engine engine;
    private RegistryReader cache;

    @BeforeEach
    void start() {
        upstream = DockerRegistryFixture.start();
        pusher = new RegistryPusher(upstream.url());
        engine = Engine.open(new DataFolder(temp.resolve("data")));
        engine.addUpstream(upstream.hostPort(), upstream.url(), null);
        // The default freshness: every GET by tag asks the upstream and stamps the tag.
        engine.createRule(new RuleDraft("revalidating", upstream.hostPort() + "/*", "up/*", null, null));
        engine.startServer("127.0.0.1:0");
        cache = new RegistryReader("http://127.0.0.1:" + engine.port());
    }

    @AfterEach
    void stop() {
        if (engine != null) engine.close();
        if (upstream != null) upstream.close();
    }

    @Test
    void aManifestRequestIsInTheStatisticsReadRightAfterIt() {
        TestImage image = images.ociImage();
        pusher.push("stats/app", "1", image);

        assertThat(cache.manifest("up/stats/app", "1", ACCEPT).status()).isEqualTo(200);
        // No flush: the statistics themselves wait for what the writer still gathers.
        assertThat(engine.recentPulls(10)).anySatisfy(e -> {
            assertThat(e.repository()).isEqualTo("up/stats/app");
            assertThat(e.kind()).isEqualTo(PullEvent.Kind.MANIFEST);
        });
        assertThat(engine.repositoryStats(Instant.EPOCH)).anySatisfy(s -> {
            assertThat(s.repository()).isEqualTo("up/stats/app");
            assertThat(s.bytesServed()).isEqualTo(image.manifest().length);
        });
    }

    @Test
    void aRevalidationStampReachesTheFileAtCloseAndBringsNoDeletedTagBack() {
        TestImage image = images.ociImage();
        pusher.push("stamps/app", "kept", image);
        pusher.push("stamps/app", "deleted", image);
        for (String tag : new String[]{"kept", "deleted"}) {
            assertThat(cache.manifest("up/stamps/app", tag, ACCEPT).status()).isEqualTo(200); // fetched and stamped
            assertThat(cache.manifest("up/stamps/app", tag, ACCEPT).status()).isEqualTo(200); // revalidated: a later stamp
        }
        engine.deleteTag("up/stamps/app", "deleted");
        engine.close();
        engine = null;

        try (Database db = Database.open(new DataFolder(temp.resolve("data")))) {
            JdbcMetadataStore index = new JdbcMetadataStore(db);
            RepositoryName repository = RepositoryName.of("up/stamps/app");
            TagRecord kept = index.tag(repository, "kept").orElseThrow();
            assertThat(kept.validatedAt()).as("the stamp of the revalidating GET").isAfter(kept.fetchedAt());
            assertThat(index.tag(repository, "deleted")).isEmpty();
            assertThat(index.tags(repository)).extracting(TagRecord::tag).containsExactly("kept");
        }
    }
}
