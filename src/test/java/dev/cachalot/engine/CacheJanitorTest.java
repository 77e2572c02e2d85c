package dev.cachalot.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.oci.Digest;
import dev.cachalot.oci.RepositoryName;
import dev.cachalot.stats.PullStatistics;
import dev.cachalot.storage.BlobStore;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.storage.Database;
import dev.cachalot.storage.FileBlobStore;
import dev.cachalot.storage.GarbageCollector;
import dev.cachalot.storage.JdbcMetadataStore;
import dev.cachalot.storage.RepositoryKind;
import dev.cachalot.storage.RepositoryOrigin;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The janitor on a real data folder (H2 index, blob files), driven directly instead of by its schedule. */
class CacheJanitorTest {

    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final Instant LONG_AGO = Instant.now().minus(Duration.ofHours(3));
    private static final int KIB = 1024;

    @TempDir
    Path root;
    private DataFolder folder;
    private Database db;
    private FileBlobStore store;
    private JdbcMetadataStore index;
    private final AtomicLong bound = new AtomicLong();
    private CacheJanitor janitor;
    private final Random random = new Random(3);

    @BeforeEach
    void setUp() {
        folder = new DataFolder(root).ensureCreated();
        db = Database.open(folder);
        store = new FileBlobStore(folder);
        index = new JdbcMetadataStore(db);
        janitor = new CacheJanitor(index, store, new GarbageCollector(store, index), new PullStatistics(db), bound::get);
    }

    @AfterEach
    void tearDown() {
        janitor.close();
        db.close();
    }

    /** A stored image: a manifest referring to a config and one layer, all linked in {@code repository}. */
    private record Image(RepositoryName repository, Digest manifest, Digest config, Digest layer) {
    }

    @Test
    void evictsLeastRecentlyPulledCachedImagesDownToNinetyPercentAndDeletesTheirFiles() throws Exception {
        Image a = cachedImage("cache/a", 100, LONG_AGO.plusSeconds(1));
        Image b = cachedImage("cache/b", 100, LONG_AGO.plusSeconds(2));
        Image c = cachedImage("cache/c", 100, LONG_AGO.plusSeconds(3));
        long total = index.cachedBytes();
        bound.set(total - 50 * KIB);

        CacheJanitor.Report report = janitor.enforceBound();

        assertThat(report.bytesAfter()).isLessThanOrEqualTo(bound.get() * 9 / 10);
        assertThat(index.cachedBytes()).isEqualTo(report.bytesAfter());
        assertThat(index.repositoryKind(a.repository())).isEmpty();
        assertThat(index.tag(a.repository(), "1")).isEmpty();
        assertThat(store.find(a.layer())).isEmpty();
        assertThat(store.find(a.manifest())).isEmpty();
        assertThat(index.manifest(c.repository(), c.manifest())).isPresent();
        assertThat(store.find(c.layer())).isPresent();
        assertThat(index.manifest(b.repository(), b.manifest())).isPresent();
    }

    @Test
    void neverEvictsLocalRepositoriesEvenWhenTheyAreTheOldest() throws Exception {
        Image local = image("mine/app", 100, LONG_AGO, RepositoryKind.LOCAL);
        Image cached = cachedImage("cache/app", 100, LONG_AGO.plusSeconds(10));
        bound.set(50 * KIB);

        janitor.enforceBound();

        assertThat(index.manifest(local.repository(), local.manifest())).isPresent();
        assertThat(store.find(local.layer())).isPresent();
        assertThat(index.repositoryKind(cached.repository())).isEmpty();
        assertThat(store.find(cached.layer())).isEmpty();
    }

    @Test
    void keepsBlobsThatTheRepositorysOtherManifestsStillUse() throws Exception {
        RepositoryName repo = RepositoryName.of("cache/shared");
        Digest config = blob(2 * KIB);
        Digest sharedLayer = blob(100 * KIB);
        Digest oldOnly = blob(100 * KIB);
        Digest oldManifest = manifest(repo, RepositoryKind.CACHED, "old", config, List.of(sharedLayer, oldOnly), LONG_AGO);
        Digest newManifest = manifest(repo, RepositoryKind.CACHED, "new", config, List.of(sharedLayer), LONG_AGO.plusSeconds(60));
        bound.set(index.cachedBytes() - 10 * KIB);

        janitor.enforceBound();

        assertThat(index.manifest(repo, oldManifest)).isEmpty();
        assertThat(index.tag(repo, "old")).isEmpty();
        assertThat(index.manifest(repo, newManifest)).isPresent();
        assertThat(index.hasBlob(repo, sharedLayer)).isTrue();
        assertThat(index.hasBlob(repo, config)).isTrue();
        assertThat(index.hasBlob(repo, oldOnly)).isFalse();
        assertThat(store.find(sharedLayer)).isPresent();
        assertThat(store.find(oldOnly)).isEmpty();
    }

    @Test
    void spareBlobsJustCommittedAndNotYetLinkedAndFillsInFlight() throws Exception {
        cachedImage("cache/old", 100, LONG_AGO);
        byte[] fresh = bytes(100 * KIB);
        Digest committedNotLinked = Digest.sha256(MessageDigest.getInstance("SHA-256").digest(fresh));
        store.put(committedNotLinked, fresh);
        BlobStore.BlobWriter inFlight = store.newWriter(committedNotLinked);
        inFlight.write(ByteBuffer.wrap(fresh, 0, 1000));
        bound.set(10 * KIB);

        janitor.enforceBound();

        assertThat(index.repositoryKind(RepositoryName.of("cache/old"))).isEmpty();
        assertThat(store.find(committedNotLinked)).isPresent();
        assertThat(inFlight.tempFile()).exists();
        inFlight.close();
    }

    @Test
    void doesNothingWhenUnboundedOrWithinTheBound() throws Exception {
        Image a = cachedImage("cache/a", 100, LONG_AGO);
        bound.set(0);
        assertThat(janitor.enforceBound().manifestsEvicted()).isZero();
        bound.set(index.cachedBytes());
        assertThat(janitor.enforceBound().manifestsEvicted()).isZero();
        assertThat(index.manifest(a.repository(), a.manifest())).isPresent();
    }

    @Test
    void filesTooFreshForTheFirstCollectionGoOnceTheGracePeriodHasPassed() throws Exception {
        MovableClock clock = new MovableClock(Instant.now());
        Duration grace = Duration.ofHours(1);
        janitor.close();
        janitor = new CacheJanitor(index, store, new GarbageCollector(store, index, grace, clock), new PullStatistics(db),
                bound::get, grace, clock);
        Image fresh = cachedImage("cache/fresh", 100, LONG_AGO);
        Files.setLastModifiedTime(store.find(fresh.layer()).orElseThrow(), FileTime.from(clock.instant()));
        bound.set(10 * KIB);

        janitor.minutely();
        assertThat(index.repositoryKind(fresh.repository())).isEmpty();
        assertThat(store.find(fresh.layer())).isPresent();

        clock.advance(grace.plusMinutes(2));
        janitor.minutely();
        assertThat(store.find(fresh.layer())).isEmpty();
    }

    private static final class MovableClock extends java.time.Clock {
        private volatile Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    // --- fixtures ---

    private Image cachedImage(String name, int layerKib, Instant pulledAt) throws Exception {
        return image(name, layerKib, pulledAt, RepositoryKind.CACHED);
    }

    private Image image(String name, int layerKib, Instant pulledAt, RepositoryKind kind) throws Exception {
        RepositoryName repo = RepositoryName.of(name);
        Digest config = blob(KIB);
        Digest layer = blob(layerKib * KIB);
        Digest manifest = manifest(repo, kind, "1", config, List.of(layer), pulledAt);
        return new Image(repo, manifest, config, layer);
    }

    private Digest manifest(RepositoryName repo, RepositoryKind kind, String tag, Digest config, List<Digest> layers,
                            Instant pulledAt) throws Exception {
        StringBuilder json = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",")
                .append("\"config\":").append(descriptor("application/vnd.oci.image.config.v1+json", config)).append(",\"layers\":[");
        for (int i = 0; i < layers.size(); i++) {
            if (i > 0) json.append(',');
            json.append(descriptor("application/vnd.oci.image.layer.v1.tar+gzip", layers.get(i)));
        }
        byte[] body = json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.sha256(MessageDigest.getInstance("SHA-256").digest(body));
        store.put(digest, body);
        age(digest);
        RepositoryOrigin origin = kind == RepositoryKind.CACHED ? new RepositoryOrigin("some-rule", "upstream/" + repo.value()) : null;
        index.putManifest(repo, kind, origin, digest, OCI_MANIFEST, body.length, null, null);
        index.putTag(repo, tag, digest, pulledAt);
        link(repo, config);
        for (Digest layer : layers) link(repo, layer);
        index.recordPull(repo, tag, digest, pulledAt);
        return digest;
    }

    private String descriptor(String mediaType, Digest digest) throws Exception {
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + digest + "\",\"size\":" + Files.size(store.find(digest).orElseThrow()) + "}";
    }

    private void link(RepositoryName repo, Digest blob) throws Exception {
        index.linkBlob(repo, blob, Files.size(store.find(blob).orElseThrow()));
    }

    /** A blob stored well before the garbage collector's grace period. */
    private Digest blob(int size) throws Exception {
        byte[] content = bytes(size);
        Digest d = Digest.sha256(MessageDigest.getInstance("SHA-256").digest(content));
        store.put(d, content);
        age(d);
        return d;
    }

    private void age(Digest d) throws Exception {
        Files.setLastModifiedTime(store.find(d).orElseThrow(), FileTime.from(LONG_AGO));
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    @Test
    void theHourlyHousekeepingDeletesThePullEventsBeforeTheStatisticsHorizon() {
        Instant horizon = Instant.now().minus(Duration.ofHours(1)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        db.inTransaction(c -> {
            try (java.sql.PreparedStatement ps = c.prepareStatement("INSERT INTO pull_events (at, repository, reference,"
                    + " kind, outcome, bytes, upstream_bytes, duration_micros) VALUES (?, 'a/b', 'latest', 'IMAGE', 'HIT', 0, 0, 1)");
                 java.sql.PreparedStatement h = c.prepareStatement("UPDATE pull_event_horizon SET horizon = ?")) {
                for (Instant at : new Instant[]{horizon.minusSeconds(60), horizon.minusSeconds(1), horizon, horizon.plusSeconds(5)}) {
                    ps.setObject(1, java.time.OffsetDateTime.ofInstant(at, java.time.ZoneOffset.UTC));
                    ps.executeUpdate();
                }
                h.setObject(1, java.time.OffsetDateTime.ofInstant(horizon, java.time.ZoneOffset.UTC));
                h.executeUpdate();
            }
            return null;
        });

        janitor.hourly();

        List<Instant> remaining = db.query(c -> {
            List<Instant> left = new java.util.ArrayList<>();
            try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT at FROM pull_events ORDER BY at");
                 java.sql.ResultSet rs = ps.executeQuery()) {
                while (rs.next()) left.add(rs.getObject(1, java.time.OffsetDateTime.class).toInstant());
            }
            return left;
        });
        assertThat(remaining).containsExactly(horizon, horizon.plusSeconds(5));
    }
}
