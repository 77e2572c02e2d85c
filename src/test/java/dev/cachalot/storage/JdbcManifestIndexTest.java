package dev.cachalot.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.oci.Digest;
import dev.cachalot.oci.RepositoryName;
import dev.cachalot.storage.ManifestIndex.Origin;
import dev.cachalot.storage.ManifestIndex.RepositoryKind;
import dev.cachalot.storage.ManifestIndex.RepositorySummary;
import dev.cachalot.storage.ManifestIndex.StoredManifest;
import dev.cachalot.storage.ManifestIndex.TagRecord;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JdbcManifestIndexTest {

    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final RepositoryName NGINX = RepositoryName.of("library/nginx");
    static final Origin NGINX_ORIGIN = new Origin("nginx-rule", "docker.io/library/nginx");
    static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");

    @TempDir
    Path root;

    Database db;
    JdbcManifestIndex index;

    @BeforeEach
    void setUp() {
        db = Database.open(new DataFolder(root));
        index = new JdbcManifestIndex(db);
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    static Digest digest(int n) {
        byte[] b = new byte[32];
        b[0] = (byte) (n >>> 24);
        b[1] = (byte) (n >>> 16);
        b[2] = (byte) (n >>> 8);
        b[3] = (byte) n;
        b[31] = 1;
        return new Digest("sha256", HexFormat.of().formatHex(b));
    }

    void putManifest(RepositoryName repo, Digest d, long size) {
        index.putManifest(repo, RepositoryKind.CACHED, NGINX_ORIGIN, d, OCI_MANIFEST, size, null, null);
    }

    @Test
    void putManifestCreatesRepositoryAndIsIdempotent() {
        putManifest(NGINX, digest(1), 500);
        putManifest(NGINX, digest(1), 500);

        StoredManifest m = index.manifest(NGINX, digest(1)).orElseThrow();
        assertThat(m.mediaType()).isEqualTo(OCI_MANIFEST);
        assertThat(m.size()).isEqualTo(500);
        assertThat(m.pullCount()).isZero();
        assertThat(m.createdAt()).isNotNull();
        assertThat(index.manifests(NGINX)).hasSize(1);
        assertThat(index.repositoryExists(NGINX)).isTrue();
        RepositorySummary s = index.repository(NGINX).orElseThrow();
        assertThat(s.kind()).isEqualTo(RepositoryKind.CACHED);
        assertThat(s.ruleName()).isEqualTo("nginx-rule");
        assertThat(s.upstreamRepository()).isEqualTo("docker.io/library/nginx");
        assertThat(index.manifest(NGINX, digest(2))).isEmpty();
    }

    @Test
    void localRepositoryHasNoOrigin() {
        RepositoryName mine = RepositoryName.of("team/app");
        index.putManifest(mine, RepositoryKind.LOCAL, null, digest(1), OCI_MANIFEST, 10, null, null);

        RepositorySummary s = index.repository(mine).orElseThrow();
        assertThat(s.kind()).isEqualTo(RepositoryKind.LOCAL);
        assertThat(s.ruleName()).isNull();
        assertThat(s.upstreamRepository()).isNull();
    }

    @Test
    void putTagRepointsTagAndKeepsItsPullCount() {
        putManifest(NGINX, digest(1), 500);
        putManifest(NGINX, digest(2), 600);
        index.putTag(NGINX, "latest", digest(1), T0);
        index.recordPull(NGINX, "latest", digest(1), T0.plusSeconds(5));

        index.putTag(NGINX, "latest", digest(2), T0.plusSeconds(60));

        TagRecord tag = index.tag(NGINX, "latest").orElseThrow();
        assertThat(tag.digest()).isEqualTo(digest(2));
        assertThat(tag.fetchedAt()).isEqualTo(T0.plusSeconds(60));
        assertThat(tag.validatedAt()).isEqualTo(T0.plusSeconds(60));
        assertThat(tag.pullCount()).isEqualTo(1);
        assertThat(tag.lastPulledAt()).isEqualTo(T0.plusSeconds(5));
    }

    @Test
    void markValidatedMovesOnlyValidationTime() {
        putManifest(NGINX, digest(1), 500);
        index.putTag(NGINX, "1.27", digest(1), T0);

        index.markValidated(NGINX, "1.27", T0.plus(1, ChronoUnit.HOURS));

        TagRecord tag = index.tag(NGINX, "1.27").orElseThrow();
        assertThat(tag.fetchedAt()).isEqualTo(T0);
        assertThat(tag.validatedAt()).isEqualTo(T0.plus(1, ChronoUnit.HOURS));
    }

    @Test
    void tagsAreListedInLexicalOrderAndCanBeDeleted() {
        putManifest(NGINX, digest(1), 500);
        for (String t : List.of("latest", "1.27", "alpine", "1.26")) {
            index.putTag(NGINX, t, digest(1), T0);
        }

        assertThat(index.tags(NGINX)).extracting(TagRecord::tag).containsExactly("1.26", "1.27", "alpine", "latest");

        index.deleteTag(NGINX, "alpine");
        assertThat(index.tags(NGINX)).extracting(TagRecord::tag).containsExactly("1.26", "1.27", "latest");
        assertThat(index.tag(NGINX, "alpine")).isEmpty();
    }

    @Test
    void linkBlobIsIdempotentAndPerRepository() {
        index.linkBlob(NGINX, digest(10), 1000);
        index.linkBlob(NGINX, digest(10), 1000);

        assertThat(index.hasBlob(NGINX, digest(10))).isTrue();
        assertThat(index.hasBlob(RepositoryName.of("library/redis"), digest(10))).isFalse();
        assertThat(index.hasBlob(NGINX, digest(11))).isFalse();
    }

    @Test
    void referrersAreManifestsWithThatSubject() {
        putManifest(NGINX, digest(1), 500);
        index.putManifest(NGINX, RepositoryKind.CACHED, NGINX_ORIGIN, digest(2), OCI_MANIFEST, 300,
                "application/vnd.example.sbom", digest(1));
        index.putManifest(NGINX, RepositoryKind.CACHED, NGINX_ORIGIN, digest(3), OCI_MANIFEST, 300,
                "application/vnd.example.sig", digest(9));

        List<StoredManifest> referrers = index.referrers(NGINX, digest(1));

        assertThat(referrers).extracting(StoredManifest::digest).containsExactly(digest(2));
        assertThat(referrers.get(0).artifactType()).isEqualTo("application/vnd.example.sbom");
        assertThat(referrers.get(0).subject()).isEqualTo(digest(1));
    }

    @Test
    void recordPullCountsRepositoryTagAndManifest() {
        putManifest(NGINX, digest(1), 500);
        index.putTag(NGINX, "latest", digest(1), T0);

        index.recordPull(NGINX, "latest", digest(1), T0.plusSeconds(10));
        index.recordPull(NGINX, null, digest(1), T0.plusSeconds(20));
        // An event recorded late must not move the last pull back in time.
        index.recordPull(NGINX, null, digest(1), T0.plusSeconds(15));

        assertThat(index.tag(NGINX, "latest").orElseThrow())
                .extracting(TagRecord::pullCount, TagRecord::lastPulledAt)
                .containsExactly(1L, T0.plusSeconds(10));
        assertThat(index.manifest(NGINX, digest(1)).orElseThrow())
                .extracting(StoredManifest::pullCount, StoredManifest::lastPulledAt)
                .containsExactly(3L, T0.plusSeconds(20));
        assertThat(index.repository(NGINX).orElseThrow())
                .extracting(RepositorySummary::pullCount, RepositorySummary::lastPulledAt)
                .containsExactly(3L, T0.plusSeconds(20));
    }

    @Test
    void recordPullsAddsBatchedCountsInOneGoAndSkipsUnknownManifests() {
        putManifest(NGINX, digest(1), 500);
        putManifest(NGINX, digest(2), 500);
        index.putTag(NGINX, "latest", digest(1), T0);

        index.recordPulls(List.of(
                new ManifestIndex.PullCount(NGINX, "latest", digest(1), 4, T0.plusSeconds(30)),
                new ManifestIndex.PullCount(NGINX, null, digest(2), 2, T0.plusSeconds(10)),
                // Deleted meanwhile: counted nowhere, and the rest of the batch still lands.
                new ManifestIndex.PullCount(RepositoryName.of("gone/repo"), "v1", digest(3), 7, T0)));

        assertThat(index.tag(NGINX, "latest").orElseThrow().pullCount()).isEqualTo(4L);
        assertThat(index.manifest(NGINX, digest(1)).orElseThrow().pullCount()).isEqualTo(4L);
        assertThat(index.manifest(NGINX, digest(2)).orElseThrow().pullCount()).isEqualTo(2L);
        assertThat(index.repository(NGINX).orElseThrow())
                .extracting(RepositorySummary::pullCount, RepositorySummary::lastPulledAt)
                .containsExactly(6L, T0.plusSeconds(30));
        assertThat(index.repository(RepositoryName.of("gone/repo"))).isEmpty();
    }

    @Test
    void anyRepositoryUnderMatchesNameOrPathBelowIt() {
        assertThat(index.anyRepositoryUnder("")).isFalse();
        putManifest(RepositoryName.of("library/nginx"), digest(1), 1);

        assertThat(index.anyRepositoryUnder("")).isTrue();
        assertThat(index.anyRepositoryUnder("library")).isTrue();
        assertThat(index.anyRepositoryUnder("library/nginx")).isTrue();
        assertThat(index.anyRepositoryUnder("library/ng")).isFalse();
        assertThat(index.anyRepositoryUnder("lib")).isFalse();
        assertThat(index.anyRepositoryUnder("library/nginx/sub")).isFalse();
    }

    @Test
    void anyRepositoryUnderOfAKindCountsOnlyThatKind() {
        putManifest(RepositoryName.of("cache/library/nginx"), digest(1), 1);
        index.putManifest(RepositoryName.of("team/app"), RepositoryKind.LOCAL, null, digest(2), OCI_MANIFEST, 1, null, null);

        assertThat(index.anyRepositoryUnder("cache", RepositoryKind.LOCAL)).isFalse();
        assertThat(index.anyRepositoryUnder("cache", RepositoryKind.CACHED)).isTrue();
        assertThat(index.anyRepositoryUnder("team", RepositoryKind.LOCAL)).isTrue();
        assertThat(index.anyRepositoryUnder("team/app", RepositoryKind.LOCAL)).isTrue();
        assertThat(index.anyRepositoryUnder("te", RepositoryKind.LOCAL)).isFalse();
        assertThat(index.anyRepositoryUnder("", RepositoryKind.LOCAL)).isTrue();
        assertThat(index.anyRepositoryUnder("t_am", RepositoryKind.LOCAL)).isFalse();
    }

    @Test
    void anyRepositoryUnderTreatsUnderscoreAndPercentLiterally() {
        putManifest(RepositoryName.of("myxteam/app"), digest(1), 1);
        putManifest(RepositoryName.of("other/app"), digest(2), 1);

        // Unescaped, '_' would match the 'x' and '%' would match anything.
        assertThat(index.anyRepositoryUnder("my_team")).isFalse();
        assertThat(index.anyRepositoryUnder("%")).isFalse();
        assertThat(index.anyRepositoryUnder("o%")).isFalse();

        putManifest(RepositoryName.of("my_team/app"), digest(3), 1);
        assertThat(index.anyRepositoryUnder("my_team")).isTrue();
    }

    @Test
    void repositorySummaryCountsTagsManifestsAndDistinctBytes() {
        putManifest(NGINX, digest(1), 500);
        putManifest(NGINX, digest(2), 700);
        index.putTag(NGINX, "latest", digest(1), T0);
        index.putTag(NGINX, "1.27", digest(1), T0);
        index.putTag(NGINX, "1.26", digest(2), T0);
        index.linkBlob(NGINX, digest(10), 10_000);
        index.linkBlob(NGINX, digest(11), 20_000);
        // A manifest digest also fetched as a blob is one file on disk.
        index.linkBlob(NGINX, digest(1), 500);
        RepositoryName redis = RepositoryName.of("library/redis");
        putManifest(redis, digest(3), 900);
        index.linkBlob(redis, digest(10), 10_000);

        List<RepositorySummary> all = index.repositories();

        assertThat(all).extracting(RepositorySummary::name).containsExactly(NGINX, redis);
        RepositorySummary nginx = all.get(0);
        assertThat(nginx.tagCount()).isEqualTo(3);
        assertThat(nginx.manifestCount()).isEqualTo(2);
        assertThat(nginx.sizeBytes()).isEqualTo(500 + 700 + 10_000 + 20_000);
        assertThat(index.repository(redis).orElseThrow().sizeBytes()).isEqualTo(900 + 10_000);
        assertThat(index.repository(redis).orElseThrow().tagCount()).isZero();
        assertThat(index.repository(RepositoryName.of("library/none"))).isEmpty();
    }

    @Test
    void cachedBytesCountsSharedBlobsOnce() {
        assertThat(index.cachedBytes()).isZero();
        putManifest(NGINX, digest(1), 500);
        putManifest(RepositoryName.of("mirror/nginx"), digest(1), 500);
        index.linkBlob(NGINX, digest(10), 10_000);
        index.linkBlob(RepositoryName.of("library/redis"), digest(10), 10_000);
        index.linkBlob(NGINX, digest(1), 500);

        assertThat(index.cachedBytes()).isEqualTo(10_500);
    }

    @Test
    void deleteRepositoryForgetsEverythingOfIt() {
        putManifest(NGINX, digest(1), 500);
        index.putTag(NGINX, "latest", digest(1), T0);
        index.linkBlob(NGINX, digest(10), 10_000);
        RepositoryName redis = RepositoryName.of("library/redis");
        putManifest(redis, digest(2), 400);

        index.deleteRepository(NGINX);

        assertThat(index.repositoryExists(NGINX)).isFalse();
        assertThat(index.tags(NGINX)).isEmpty();
        assertThat(index.manifests(NGINX)).isEmpty();
        assertThat(index.hasBlob(NGINX, digest(10))).isFalse();
        assertThat(index.repositories()).extracting(RepositorySummary::name).containsExactly(redis);
    }

    @Test
    void unreferencedBlobsAreThoseNoRepositoryHolds() {
        putManifest(NGINX, digest(1), 500);
        index.linkBlob(NGINX, digest(10), 10_000);
        List<Digest> candidates = new ArrayList<>(List.of(digest(1), digest(10), digest(20)));
        for (int i = 100; i < 1300; i++) {
            candidates.add(digest(i)); // more than one IN chunk
        }

        List<Digest> unreferenced = index.unreferencedBlobs(candidates);

        assertThat(unreferenced).hasSize(candidates.size() - 2).doesNotContain(digest(1), digest(10)).contains(digest(20), digest(1299));
        assertThat(index.unreferencedBlobs(List.of())).isEmpty();
    }

    @Test
    void manifestsAreListedNewestFirst() throws Exception {
        putManifest(NGINX, digest(1), 1);
        Thread.sleep(5); // created_at comes from the clock; make the order observable
        putManifest(NGINX, digest(2), 1);

        assertThat(index.manifests(NGINX)).extracting(StoredManifest::digest).containsExactly(digest(2), digest(1));
    }

    @Test
    void concurrentUpsertsOfOneRepositoryAllSucceed() throws Exception {
        int writers = 6;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                int n = i;
                futures.add(pool.submit(() -> {
                    start.await();
                    putManifest(NGINX, digest(1), 500);
                    index.linkBlob(NGINX, digest(10), 10_000);
                    index.putTag(NGINX, "latest", digest(1), T0.plusSeconds(n));
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        RepositorySummary s = index.repository(NGINX).orElseThrow();
        assertThat(s.manifestCount()).isEqualTo(1);
        assertThat(s.tagCount()).isEqualTo(1);
        assertThat(s.sizeBytes()).isEqualTo(10_500);
    }

    @Test
    void staysUsableWithTenThousandManifests() {
        // Bulk-load through JDBC (putManifest one by one would dominate the test's run time).
        RepositoryName big = RepositoryName.of("big/repo");
        putManifest(big, digest(0), 100);
        db.inTransaction(c -> {
            try (var ps = c.prepareStatement("INSERT INTO manifests (repository, digest, media_type, size, created_at) "
                    + "VALUES (?, ?, ?, ?, CURRENT_TIMESTAMP)")) {
                for (int i = 1; i < 10_000; i++) {
                    ps.setString(1, i % 2 == 0 ? big.value() : "repo" + (i % 50) + "/app");
                    ps.setString(2, digest(i).toString());
                    ps.setString(3, OCI_MANIFEST);
                    ps.setLong(4, 100);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });

        assertThat(index.manifest(big, digest(5000))).isPresent();
        assertThat(index.repository(big).orElseThrow().manifestCount()).isEqualTo(5000);
        assertThat(index.cachedBytes()).isEqualTo(10_000 * 100L);
        assertThat(index.unreferencedBlobs(List.of(digest(9999), digest(20_000)))).containsExactly(digest(20_000));
    }
}
