package dev.cachalot.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.oci.Digest;
import dev.cachalot.oci.RepositoryName;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GarbageCollectorTest {

    static final Instant NOW = Instant.parse("2025-03-01T10:00:00Z");
    static final RepositoryName NGINX = RepositoryName.of("library/nginx");

    @TempDir
    Path root;

    DataFolder folder;
    Database db;
    FileBlobStore store;
    JdbcMetadataStore index;
    GarbageCollector gc;

    @BeforeEach
    void setUp() {
        folder = new DataFolder(root);
        db = Database.open(folder);
        store = new FileBlobStore(folder);
        index = new JdbcMetadataStore(db);
        gc = new GarbageCollector(store, index, Duration.ofHours(1), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    Digest storeBlob(String text, Instant modified) throws Exception {
        byte[] content = text.getBytes(StandardCharsets.UTF_8);
        Digest d = Digest.sha256(MessageDigest.getInstance("SHA-256").digest(content));
        store.put(d, content);
        Files.setLastModifiedTime(store.find(d).orElseThrow(), FileTime.from(modified));
        return d;
    }

    @Test
    void deletesOnlyOldUnreferencedBlobs() throws Exception {
        Instant old = NOW.minus(Duration.ofDays(2));
        Digest layer = storeBlob("layer", old);
        Digest manifest = storeBlob("manifest", old);
        Digest orphan = storeBlob("orphan of a deleted repository", old);
        Digest fresh = storeBlob("just committed, link not yet recorded", NOW.minusSeconds(60));
        index.putManifest(NGINX, RepositoryKind.LOCAL, null, manifest, "application/vnd.oci.image.manifest.v1+json", 8, null, null);
        index.linkBlob(NGINX, layer, 5);

        GarbageCollector.Result result = gc.collect();

        assertThat(result.examined()).isEqualTo(4);
        assertThat(result.deleted()).isEqualTo(1);
        assertThat(result.bytesFreed()).isEqualTo("orphan of a deleted repository".length());
        assertThat(store.contains(orphan)).isFalse();
        assertThat(store.contains(layer)).isTrue();
        assertThat(store.contains(manifest)).isTrue();
        assertThat(store.contains(fresh)).isTrue();
    }

    @Test
    void blobsOfADeletedRepositoryGoUnlessAnotherRepositoryHoldsThem() throws Exception {
        Instant old = NOW.minus(Duration.ofDays(2));
        Digest shared = storeBlob("shared base layer", old);
        Digest own = storeBlob("nginx only layer", old);
        index.linkBlob(NGINX, shared, 17);
        index.linkBlob(NGINX, own, 16);
        index.linkBlob(RepositoryName.of("library/redis"), shared, 17);

        index.deleteRepository(NGINX);
        gc.collect();

        assertThat(store.contains(shared)).isTrue();
        assertThat(store.contains(own)).isFalse();
    }

    @Test
    void ignoresFilesThatAreNotWellPlacedBlobs() throws Exception {
        Path stray = folder.blobs().resolve("sha256/ab/not-a-digest");
        Files.createDirectories(stray.getParent());
        Files.writeString(stray, "x");
        Files.setLastModifiedTime(stray, FileTime.from(NOW.minus(Duration.ofDays(9))));

        GarbageCollector.Result result = gc.collect();

        assertThat(result.examined()).isZero();
        assertThat(stray).exists();
    }

    @Test
    void keepsAnUnreferencedBlobWhileItIsReadAndCollectsItAfterwards() throws Exception {
        Instant old = NOW.minus(Duration.ofDays(2));
        Digest streaming = storeBlob("a layer a slow client is still streaming", old);
        Digest orphan = storeBlob("an orphan nobody reads", old);
        try (BlobReads reads = new BlobReads(db, Duration.ofMinutes(2), Clock.fixed(NOW, ZoneOffset.UTC))) {
            GarbageCollector sparing = gc.sparing(reads);
            BlobReads.Mark read = reads.start(streaming);

            GarbageCollector.Result during = sparing.collect();

            assertThat(during.deleted()).isEqualTo(1);
            assertThat(during.keptBeingRead()).isEqualTo(1);
            assertThat(store.contains(streaming)).isTrue();
            assertThat(store.contains(orphan)).isFalse();

            read.close();
            GarbageCollector.Result after = sparing.collect();

            assertThat(after.deleted()).isEqualTo(1);
            assertThat(after.keptBeingRead()).isZero();
            assertThat(store.contains(streaming)).isFalse();
        }
    }

    @Test
    void anotherEnginesReadMarkSparesTheBlobUntilItExpires() throws Exception {
        Instant old = NOW.minus(Duration.ofDays(2));
        Digest read = storeBlob("read by an engine that then died", old);
        db.query(c -> {
            try (var ps = c.prepareStatement("INSERT INTO blob_reads (node, digest, expires_at) VALUES (?, ?, ?)")) {
                ps.setString(1, "another-engine");
                ps.setString(2, read.toString());
                ps.setObject(3, java.time.OffsetDateTime.ofInstant(NOW.plusSeconds(30), ZoneOffset.UTC));
                return ps.executeUpdate();
            }
        });
        try (BlobReads here = new BlobReads(db, Duration.ofMinutes(2), Clock.fixed(NOW, ZoneOffset.UTC));
             BlobReads later = new BlobReads(db, Duration.ofMinutes(2), Clock.fixed(NOW.plusSeconds(31), ZoneOffset.UTC))) {
            assertThat(gc.sparing(here).collect().keptBeingRead()).isEqualTo(1);
            assertThat(store.contains(read)).isTrue();

            GarbageCollector afterExpiry = new GarbageCollector(store, index, Duration.ofHours(1),
                    Clock.fixed(NOW.plusSeconds(31), ZoneOffset.UTC)).sparing(later);
            assertThat(afterExpiry.collect().deleted()).isEqualTo(1);
            assertThat(store.contains(read)).isFalse();
        }
    }

    @Test
    void aDryRunCountsWhatWouldGoAndDeletesNothing() throws Exception {
        Instant old = NOW.minus(Duration.ofDays(2));
        Digest orphan = storeBlob("orphan", old);
        Digest linked = storeBlob("linked", old);
        Digest fresh = storeBlob("fresh", NOW.minusSeconds(5));
        index.linkBlob(NGINX, linked, 6);

        GarbageCollector.Result dry = gc.collect(true);

        assertThat(dry).isEqualTo(new GarbageCollector.Result(3, 1, "orphan".length(), 1, 0));
        assertThat(store.contains(orphan)).isTrue();
        assertThat(store.contains(fresh)).isTrue();
        assertThat(gc.collect(false).deleted()).isEqualTo(1);
        assertThat(store.contains(orphan)).isFalse();
    }

    @Test
    void readsOfOneBlobOnOneEngineShareOneMarkThatTheLastReadEnds() throws Exception {
        Digest blob = storeBlob("read twice at once", NOW.minus(Duration.ofDays(2)));
        try (BlobReads reads = new BlobReads(db, Duration.ofMinutes(2), Clock.fixed(NOW, ZoneOffset.UTC));
             BlobReads elsewhere = new BlobReads(db, Duration.ofMinutes(2), Clock.fixed(NOW, ZoneOffset.UTC))) {
            BlobReads.Mark first = reads.start(blob);
            BlobReads.Mark second = reads.start(blob);
            first.close();
            first.close();
            assertThat(elsewhere.beingRead(java.util.List.of(blob))).containsExactly(blob);
            second.close();
            assertThat(elsewhere.beingRead(java.util.List.of(blob))).isEmpty();
            assertThat(reads.isReadHere(blob)).isFalse();
        }
    }

    @Test
    void aReadMarkLeftBehindByAFailedDeleteIsRenewedByTheNextRead() throws Exception {
        Digest blob = storeBlob("read again after a lost delete", NOW.minus(Duration.ofDays(2)));
        try (BlobReads reads = new BlobReads(db, Duration.ofMinutes(2), Clock.fixed(NOW, ZoneOffset.UTC))) {
            db.query(c -> {
                try (var ps = c.prepareStatement("INSERT INTO blob_reads (node, digest, expires_at) VALUES (?, ?, ?)")) {
                    ps.setString(1, reads.node());
                    ps.setString(2, blob.toString());
                    ps.setObject(3, java.time.OffsetDateTime.ofInstant(NOW.minusSeconds(600), ZoneOffset.UTC));
                    return ps.executeUpdate();
                }
            });
            assertThat(reads.beingRead(java.util.List.of(blob))).as("expired").isEmpty();

            BlobReads.Mark read = reads.start(blob);

            try (BlobReads elsewhere = new BlobReads(db, Duration.ofMinutes(2), Clock.fixed(NOW, ZoneOffset.UTC))) {
                assertThat(elsewhere.beingRead(java.util.List.of(blob))).containsExactly(blob);
            }
            read.close();
        }
    }
}
