package dev.cachalot.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.oci.Digest;
import dev.cachalot.oci.RepositoryName;
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

/**
 * What every {@link MetadataStore} must do, whatever holds the data. An implementation's test extends this with a
 * fresh, empty store per test ({@link #newStore()}) and releases it in {@link #closeStore()}.
 */
public abstract class MetadataStoreContract {

    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final RepositoryName NGINX = RepositoryName.of("library/nginx");
    static final RepositoryName APP = RepositoryName.of("team/app");
    static final RepositoryName OTHER = RepositoryName.of("team/other");
    static final RepositoryOrigin NGINX_ORIGIN = new RepositoryOrigin("nginx-rule", "docker.io/library/nginx");
    static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");

    protected MetadataStore index;

    /** A new, empty store; called before every test. */
    protected abstract MetadataStore newStore() throws Exception;

    /** Releases what {@link #newStore()} opened; called after every test. */
    protected abstract void closeStore() throws Exception;

    @BeforeEach
    void openStore() throws Exception {
        index = newStore();
    }

    @AfterEach
    void releaseStore() throws Exception {
        closeStore();
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
    void loadRecordsRepositoriesManifestsBlobsAndTagsTogether() {
        ContentLoads.RepositoryLoad nginx = new ContentLoads.RepositoryLoad(NGINX, RepositoryKind.CACHED, NGINX_ORIGIN,
                List.of(new ContentLoads.ManifestLoad(digest(1), OCI_MANIFEST, 500, null, null),
                        new ContentLoads.ManifestLoad(digest(2), OCI_MANIFEST, 90, "application/vnd.test", digest(1))),
                java.util.Map.of(digest(10), 1000L, digest(11), 2000L), java.util.Map.of("1.27", digest(1)));
        ContentLoads.RepositoryLoad app = new ContentLoads.RepositoryLoad(APP, RepositoryKind.LOCAL, null,
                List.of(new ContentLoads.ManifestLoad(digest(3), OCI_MANIFEST, 300, null, null)),
                java.util.Map.of(digest(10), 1000L), java.util.Map.of("v1", digest(3), "latest", digest(3)));

        index.load(List.of(nginx, app), T0);

        assertThat(index.repository(NGINX).orElseThrow().ruleName()).isEqualTo("nginx-rule");
        assertThat(index.repositoryKind(APP)).hasValue(RepositoryKind.LOCAL);
        assertThat(index.manifest(NGINX, digest(1)).orElseThrow().size()).isEqualTo(500);
        assertThat(index.referrers(NGINX, digest(1))).extracting(StoredManifest::digest).containsExactly(digest(2));
        assertThat(index.hasBlob(NGINX, digest(11))).isTrue();
        assertThat(index.hasBlob(APP, digest(11))).isFalse();
        assertThat(index.tags(APP)).extracting(TagRecord::tag).containsExactly("latest", "v1");
        assertThat(index.tag(NGINX, "1.27").orElseThrow().fetchedAt()).isEqualTo(T0);
    }

    @Test
    void loadMovesTagsAndKeepsWhatWasRecorded() {
        putManifest(NGINX, digest(1), 500);
        index.putTag(NGINX, "stable", digest(1), T0);
        index.recordPulls(List.of(new PullCount(NGINX, "stable", digest(1), 3, T0)));

        index.load(List.of(new ContentLoads.RepositoryLoad(NGINX, RepositoryKind.CACHED, NGINX_ORIGIN,
                List.of(new ContentLoads.ManifestLoad(digest(1), "other/type", 999, null, null),
                        new ContentLoads.ManifestLoad(digest(2), OCI_MANIFEST, 600, null, null)),
                java.util.Map.of(), java.util.Map.of("stable", digest(2)))), T0.plusSeconds(60));

        assertThat(index.manifest(NGINX, digest(1)).orElseThrow().size()).isEqualTo(500);
        TagRecord stable = index.tag(NGINX, "stable").orElseThrow();
        assertThat(stable.digest()).isEqualTo(digest(2));
        assertThat(stable.pullCount()).isEqualTo(3);
        assertThat(stable.validatedAt()).isEqualTo(T0.plusSeconds(60));
    }

    @Test
    void aFailingLoadLeavesNothingBehind() {
        ContentLoads.RepositoryLoad good = new ContentLoads.RepositoryLoad(APP, RepositoryKind.LOCAL, null,
                List.of(new ContentLoads.ManifestLoad(digest(3), OCI_MANIFEST, 300, null, null)),
                java.util.Map.of(digest(10), 1000L), java.util.Map.of("v1", digest(3)));
        // a manifest without a media type: the store refuses the statement
        ContentLoads.RepositoryLoad bad = new ContentLoads.RepositoryLoad(OTHER, RepositoryKind.LOCAL, null,
                List.of(new ContentLoads.ManifestLoad(digest(4), null, 300, null, null)),
                java.util.Map.of(), java.util.Map.of("v2", digest(4)));

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> index.load(List.of(good, bad), T0)).isInstanceOf(RuntimeException.class);

        assertThat(index.repositories()).isEmpty();
        assertThat(index.hasBlob(APP, digest(10))).isFalse();
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
        assertThat(index.repositoryKind(NGINX)).contains(RepositoryKind.CACHED);
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
                new PullCount(NGINX, "latest", digest(1), 4, T0.plusSeconds(30)),
                new PullCount(NGINX, null, digest(2), 2, T0.plusSeconds(10)),
                // Deleted meanwhile: counted nowhere, and the rest of the batch still lands.
                new PullCount(RepositoryName.of("gone/repo"), "v1", digest(3), 7, T0)));

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
        assertThat(index.anyRepositoryUnder("", RepositoryKind.CACHED)).isFalse();
        putManifest(RepositoryName.of("library/nginx"), digest(1), 1);

        assertThat(index.anyRepositoryUnder("", RepositoryKind.CACHED)).isTrue();
        assertThat(index.anyRepositoryUnder("library", RepositoryKind.CACHED)).isTrue();
        assertThat(index.anyRepositoryUnder("library/nginx", RepositoryKind.CACHED)).isTrue();
        assertThat(index.anyRepositoryUnder("library/ng", RepositoryKind.CACHED)).isFalse();
        assertThat(index.anyRepositoryUnder("lib", RepositoryKind.CACHED)).isFalse();
        assertThat(index.anyRepositoryUnder("library/nginx/sub", RepositoryKind.CACHED)).isFalse();
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
        assertThat(index.anyRepositoryUnder("my_team", RepositoryKind.CACHED)).isFalse();
        assertThat(index.anyRepositoryUnder("%", RepositoryKind.CACHED)).isFalse();
        assertThat(index.anyRepositoryUnder("o%", RepositoryKind.CACHED)).isFalse();

        putManifest(RepositoryName.of("my_team/app"), digest(3), 1);
        assertThat(index.anyRepositoryUnder("my_team", RepositoryKind.CACHED)).isTrue();
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

        assertThat(index.repositoryKind(NGINX)).isEmpty();
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
    void putManifestBringsAnExistingRepositorysKindAndOriginUpToDate() {
        putManifest(NGINX, digest(1), 500);
        RepositoryOrigin moved = new RepositoryOrigin("other-rule", "quay.io/library/nginx");

        index.putManifest(NGINX, RepositoryKind.CACHED, moved, digest(2), OCI_MANIFEST, 600, null, null);

        RepositorySummary s = index.repository(NGINX).orElseThrow();
        assertThat(s.ruleName()).isEqualTo("other-rule");
        assertThat(s.upstreamRepository()).isEqualTo("quay.io/library/nginx");
        assertThat(index.manifest(NGINX, digest(1)).orElseThrow().size()).as("earlier manifests stay").isEqualTo(500);
    }

    @Test
    void repositoryKindTellsCachedFromLocalAndIsEmptyForAnUnknownName() {
        putManifest(NGINX, digest(1), 1);
        index.putManifest(APP, RepositoryKind.LOCAL, null, digest(2), OCI_MANIFEST, 1, null, null);

        assertThat(index.repositoryKind(NGINX)).contains(RepositoryKind.CACHED);
        assertThat(index.repositoryKind(APP)).contains(RepositoryKind.LOCAL);
        assertThat(index.repositoryKind(OTHER)).isEmpty();
    }

    @Test
    void lookupsOfMissingThingsAnswerEmpty() {
        putManifest(NGINX, digest(1), 1);

        assertThat(index.manifest(OTHER, digest(1))).isEmpty();
        assertThat(index.tag(NGINX, "latest")).isEmpty();
        assertThat(index.tags(OTHER)).isEmpty();
        assertThat(index.referrers(OTHER, digest(1))).isEmpty();
        assertThat(index.manifests(OTHER)).isEmpty();
        assertThat(index.repository(OTHER)).isEmpty();
        assertThat(index.hasBlob(OTHER, digest(1))).isFalse();
    }

    @Test
    void deletesOfMissingThingsChangeNothing() {
        putManifest(NGINX, digest(1), 500);
        index.putTag(NGINX, "latest", digest(1), T0);

        index.deleteTag(NGINX, "absent");
        index.markValidated(NGINX, "absent", T0.plusSeconds(5));
        assertThat(index.deleteManifest(NGINX, digest(9))).isFalse();
        assertThat(index.unlinkBlob(NGINX, digest(9))).isFalse();
        index.deleteRepository(OTHER);

        assertThat(index.tag(NGINX, "absent")).isEmpty();
        assertThat(index.tags(NGINX)).extracting(TagRecord::tag).containsExactly("latest");
        assertThat(index.manifests(NGINX)).extracting(StoredManifest::digest).containsExactly(digest(1));
        assertThat(index.repositories()).extracting(RepositorySummary::name).containsExactly(NGINX);
    }

    @Test
    void linkingABlobDoesNotCreateTheRepository() {
        index.linkBlob(OTHER, digest(10), 100);

        assertThat(index.hasBlob(OTHER, digest(10))).isTrue();
        assertThat(index.repositoryKind(OTHER)).isEmpty();
        assertThat(index.repositories()).isEmpty();
    }

    @Test
    void deletingAManifestTakesItsTagsAlongAndLeavesOtherTagsAndRepositories() {
        Digest kept = digest(1);
        Digest deleted = digest(2);
        for (RepositoryName repo : List.of(APP, OTHER)) {
            index.putManifest(repo, RepositoryKind.LOCAL, null, kept, OCI_MANIFEST, 10, null, null);
            index.putManifest(repo, RepositoryKind.LOCAL, null, deleted, OCI_MANIFEST, 20, null, null);
            index.putTag(repo, "1", deleted, T0);
            index.putTag(repo, "latest", deleted, T0);
            index.putTag(repo, "stable", kept, T0);
        }

        assertThat(index.deleteManifest(APP, deleted)).isTrue();
        assertThat(index.deleteManifest(APP, deleted)).isFalse();

        assertThat(index.manifest(APP, deleted)).isEmpty();
        assertThat(index.tags(APP)).extracting(TagRecord::tag).containsExactly("stable");
        assertThat(index.manifest(OTHER, deleted)).isPresent();
        assertThat(index.tags(OTHER)).hasSize(3);
        assertThat(index.repositoryKind(APP)).contains(RepositoryKind.LOCAL);
    }

    @Test
    void unlinkingABlobForgetsItInOneRepositoryOnly() {
        Digest blob = digest(3);
        index.linkBlob(APP, blob, 100);
        index.linkBlob(OTHER, blob, 100);

        assertThat(index.unlinkBlob(APP, blob)).isTrue();
        assertThat(index.unlinkBlob(APP, blob)).isFalse();

        assertThat(index.hasBlob(APP, blob)).isFalse();
        assertThat(index.hasBlob(OTHER, blob)).isTrue();
        assertThat(index.unreferencedBlobs(List.of(blob))).isEmpty();
        index.unlinkBlob(OTHER, blob);
        assertThat(index.unreferencedBlobs(List.of(blob))).containsExactly(blob);
    }

    @Test
    void unreferencedBlobsKeepTheOrderOfTheCandidates() {
        index.linkBlob(NGINX, digest(1), 1);

        assertThat(index.unreferencedBlobs(List.of(digest(30), digest(1), digest(20), digest(25))))
                .containsExactly(digest(30), digest(20), digest(25));
    }

    @Test
    void leastRecentlyPulledOffersCachedManifestsOldestPullFirstAndNeverLocalOnes() throws Exception {
        putManifest(NGINX, digest(1), 1);
        Thread.sleep(5); // creation times come from the clock; make their order observable
        putManifest(NGINX, digest(2), 1);
        Thread.sleep(5);
        putManifest(RepositoryName.of("library/redis"), digest(3), 1);
        index.putManifest(APP, RepositoryKind.LOCAL, null, digest(4), OCI_MANIFEST, 1, null, null);
        // Pulled long ago (T0 is in the past): older than anything never pulled, which counts from its creation.
        index.recordPull(NGINX, null, digest(1), T0.plusSeconds(10));
        index.recordPull(RepositoryName.of("library/redis"), null, digest(3), T0.plusSeconds(5));

        assertThat(index.leastRecentlyPulled(10)).extracting(StoredManifest::digest)
                .containsExactly(digest(3), digest(1), digest(2));
        assertThat(index.leastRecentlyPulled(2)).extracting(StoredManifest::digest).containsExactly(digest(3), digest(1));
        assertThat(index.leastRecentlyPulled(0)).isEmpty();
    }

    @Test
    void evictingAManifestTakesItsTagsAndTheGivenLinksAndAnEmptiedRepository() {
        putManifest(NGINX, digest(1), 100);
        putManifest(NGINX, digest(2), 200);
        index.putTag(NGINX, "old", digest(1), T0);
        index.putTag(NGINX, "new", digest(2), T0);
        index.linkBlob(NGINX, digest(10), 1_000);
        index.linkBlob(NGINX, digest(11), 2_000);

        index.evictManifest(NGINX, digest(1), List.of(digest(10)));

        assertThat(index.manifest(NGINX, digest(1))).isEmpty();
        assertThat(index.tags(NGINX)).extracting(TagRecord::tag).containsExactly("new");
        assertThat(index.hasBlob(NGINX, digest(10))).isFalse();
        assertThat(index.hasBlob(NGINX, digest(11))).isTrue();
        assertThat(index.cachedBytes()).isEqualTo(200 + 2_000);

        index.evictManifest(NGINX, digest(2), List.of());

        assertThat(index.repositoryKind(NGINX)).as("a repository left without manifests goes").isEmpty();
        assertThat(index.hasBlob(NGINX, digest(11))).isFalse();
        assertThat(index.tags(NGINX)).isEmpty();
        assertThat(index.cachedBytes()).isZero();
    }

    @Test
    void aTagMovesBetweenRepositoriesIndependently() {
        putManifest(NGINX, digest(1), 1);
        putManifest(OTHER, digest(2), 1);
        index.putTag(NGINX, "latest", digest(1), T0);
        index.putTag(OTHER, "latest", digest(2), T0);

        index.putTag(NGINX, "latest", digest(3), T0.plusSeconds(1));

        assertThat(index.tag(NGINX, "latest").orElseThrow().digest()).isEqualTo(digest(3));
        assertThat(index.tag(OTHER, "latest").orElseThrow().digest()).isEqualTo(digest(2));
    }
}
