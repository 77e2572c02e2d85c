package dev.cachalot.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.oci.Digest;
import dev.cachalot.oci.RepositoryName;
import dev.cachalot.stats.PullStatistics;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.storage.Database;
import dev.cachalot.storage.FileBlobStore;
import dev.cachalot.storage.FillLeases;
import dev.cachalot.storage.GarbageCollector;
import dev.cachalot.storage.JdbcMetadataStore;
import dev.cachalot.storage.PostgresSettings;
import dev.cachalot.storage.PostgresTestDatabases;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Housekeeping on engines sharing one PostgreSQL database and one blob store: one node at a time evicts and collects,
 * and no node deletes a blob another node's fill holds the lease of. Node A here holds leases only; node B's janitor
 * (real index, real blob files, driven directly instead of by its schedule) does the housekeeping.
 */
class ClusterHousekeepingTest {
    private static final Instant LONG_AGO = Instant.now().minus(Duration.ofHours(3));

    @TempDir
    Path root;
    private Database nodeA;
    private Database nodeB;
    private FillLeases leasesA;
    private FillLeases leasesB;
    private FileBlobStore store;
    private JdbcMetadataStore index;
    private CacheJanitor janitorB;

    @BeforeEach
    void twoNodes() {
        PostgresSettings settings = PostgresTestDatabases.migrated();
        nodeA = Database.openShared(settings);
        nodeB = Database.openShared(settings);
        leasesA = new FillLeases(nodeA);
        leasesB = new FillLeases(nodeB);
        store = new FileBlobStore(new DataFolder(root).ensureCreated());
        index = new JdbcMetadataStore(nodeB);
        janitorB = new CacheJanitor(index, store, new GarbageCollector(store, index).guardedBy(leasesB),
                new PullStatistics(nodeB), () -> 0);
        janitorB.takeTurnsWith(leasesB);
    }

    @AfterEach
    void close() {
        janitorB.close();
        leasesA.close();
        leasesB.close();
        nodeA.close();
        nodeB.close();
    }

    @Test
    void oneNodeAtATimeCollectsGarbage() throws Exception {
        Digest orphan = oldBlob("no repository refers to this");
        Digest kept = oldBlob("a layer of a cached repository");
        index.linkBlob(RepositoryName.of("cache/app"), kept, 30);

        try (FillLeases.Lease turnOfA = leasesA.tryHousekeeping().orElseThrow()) {
            assertThat(leasesB.tryHousekeeping()).as("node B's turn while node A has it").isEmpty();
            janitorB.dailyHousekeeping();
            assertThat(store.contains(orphan)).as("node B left the collection to node A").isTrue();
        }

        janitorB.dailyHousekeeping();
        assertThat(store.contains(orphan)).isFalse();
        assertThat(store.contains(kept)).isTrue();
        assertThat(leasesA.tryHousekeeping()).as("node B gave its turn back").isPresent();
    }

    @Test
    void aBlobBeingFilledIsNeverCollected() throws Exception {
        Digest filling = oldBlob("stored by an earlier node, now filled again on node A, not yet linked");
        Digest orphan = oldBlob("an orphan");

        try (FillLeases.Lease fillOfA = leasesA.tryAcquire(filling).orElseThrow()) {
            janitorB.dailyHousekeeping();
            assertThat(store.contains(filling)).as("the blob whose fill lease node A holds").isTrue();
            assertThat(store.contains(orphan)).isFalse();
        }

        janitorB.dailyHousekeeping();
        assertThat(store.contains(filling)).as("unreferenced once its fill ended").isFalse();
        assertThat(leasesA.tryAcquire(filling)).as("node B gave the lease back after deleting").isPresent();
    }

    @Test
    void aCollectionOnRequestWaitsForNoOneAndSaysAnotherNodeIsAtIt() throws Exception {
        Digest orphan = oldBlob("collected on request");

        try (FillLeases.Lease turnOfA = leasesA.tryHousekeeping().orElseThrow()) {
            assertThat(janitorB.collectNow(false)).as("node A has the turn").isEmpty();
            assertThat(store.contains(orphan)).isTrue();
        }

        assertThat(janitorB.collectNow(true).orElseThrow().deleted()).as("a dry run counts it").isEqualTo(1);
        assertThat(store.contains(orphan)).isTrue();
        GarbageCollector.Result result = janitorB.collectNow(false).orElseThrow();
        assertThat(result.deleted()).isEqualTo(1);
        assertThat(store.contains(orphan)).isFalse();
        assertThat(leasesA.tryHousekeeping()).as("node B gave its turn back").isPresent();
    }

    private Digest oldBlob(String text) throws Exception {
        byte[] content = text.getBytes(StandardCharsets.UTF_8);
        Digest d = Digest.sha256(MessageDigest.getInstance("SHA-256").digest(content));
        store.put(d, content);
        Files.setLastModifiedTime(store.find(d).orElseThrow(), FileTime.from(LONG_AGO));
        return d;
    }
}
