package dev.cachalot.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachalot.oci.Digest;
import dev.cachalot.oci.RepositoryName;
import dev.cachalot.stats.PullEvent.Kind;
import dev.cachalot.stats.PullEvent.Outcome;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.storage.Database;
import dev.cachalot.storage.JdbcMetadataStore;
import dev.cachalot.storage.RepositoryKind;
import dev.cachalot.storage.RepositoryOrigin;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recorder and statistics end to end on a real database in a temp folder. */
class PullStatisticsTest {

    static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");
    static final Digest M1 = Digest.parse("sha256:" + "1".repeat(64));

    @TempDir
    Path root;

    Database db;
    PullEventRecorder recorder;
    PullStatistics stats;

    /** The database under test: the data folder's H2 here; a subclass runs the same tests on PostgreSQL. */
    Database openDatabase() {
        return Database.open(new DataFolder(root));
    }

    @BeforeEach
    void setUp() {
        db = openDatabase();
        recorder = new PullEventRecorder(db);
        stats = new PullStatistics(db, Clock.fixed(T0.plus(Duration.ofHours(1)), ZoneOffset.UTC));
    }

    @AfterEach
    void tearDown() {
        recorder.close();
        db.close();
    }

    static PullEvent manifest(Instant at, String repo, Outcome outcome, long bytes, long upstreamBytes) {
        return new PullEvent(at, repo, "latest", M1.toString(), Kind.MANIFEST, outcome, bytes, upstreamBytes, 1200, "127.0.0.1");
    }

    /** The image pull a lone manifest GET by tag makes. */
    static PullEvent image(PullEvent manifest) {
        return new PullEvent(manifest.at(), manifest.repository(), manifest.reference(), manifest.digest(), Kind.IMAGE,
                manifest.outcome(), manifest.bytes(), manifest.upstreamBytes(), manifest.durationMicros(), manifest.client());
    }

    static PullEvent blob(Instant at, String repo, Outcome outcome, long bytes, long upstreamBytes) {
        return new PullEvent(at, repo, "sha256:" + "2".repeat(64), "sha256:" + "2".repeat(64), Kind.BLOB, outcome, bytes,
                upstreamBytes, 5000, "127.0.0.1");
    }

    void cachedFrom(String repository, String ruleName, String source) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO cache_rules (name, source_repository, target_repository,"
                    + " freshness, creation_date, provisioning_state) VALUES (?, ?, ?, 'revalidate', ?, 'Succeeded')")) {
                ps.setString(1, ruleName);
                ps.setString(2, source);
                ps.setString(3, repository);
                ps.setObject(4, OffsetDateTime.ofInstant(T0, ZoneOffset.UTC));
                ps.executeUpdate();
            }
            return null;
        });
        new JdbcMetadataStore(db).putManifest(RepositoryName.of(repository), RepositoryKind.CACHED,
                new RepositoryOrigin(ruleName, source), M1, "application/vnd.oci.image.manifest.v1+json", 100, null, null);
    }

    void recordAll(PullEvent... events) {
        for (PullEvent e : events) {
            recorder.record(e);
        }
        recorder.flush();
    }

    @Test
    void totalsFollowTheDefinitions() {
        cachedFrom("library/nginx", "nginx-rule", "docker.io/library/nginx");
        cachedFrom("dotnet/runtime", "dotnet-rule", "mcr.microsoft.com/dotnet/runtime");
        recordAll(
                manifest(T0, "library/nginx", Outcome.MISS, 100, 100),
                blob(T0, "library/nginx", Outcome.MISS, 10_000, 10_000),
                manifest(T0.plusSeconds(1), "library/nginx", Outcome.HIT, 100, 0),
                blob(T0.plusSeconds(1), "library/nginx", Outcome.HIT, 10_000, 0),
                manifest(T0.plusSeconds(2), "library/nginx", Outcome.STALE, 100, 0),
                manifest(T0.plusSeconds(3), "dotnet/runtime", Outcome.HIT, 200, 0),
                manifest(T0.plusSeconds(4), "team/app", Outcome.LOCAL, 300, 0),
                blob(T0.plusSeconds(4), "team/app", Outcome.LOCAL, 3_000, 0),
                manifest(T0.plusSeconds(5), "library/nginx", Outcome.FAILED, 0, 0));

        StatsTotals t = stats.totals(null);

        assertThat(t.pulls()).isEqualTo(6);
        assertThat(t.hits()).isEqualTo(2);
        assertThat(t.misses()).isEqualTo(1);
        assertThat(t.stale()).isEqualTo(1);
        assertThat(t.bytesServed()).isEqualTo(100 + 10_000 + 100 + 10_000 + 100 + 200 + 300 + 3_000);
        assertThat(t.bytesFromCache()).isEqualTo(100 + 10_000 + 100 + 200 + 300 + 3_000);
        assertThat(t.upstreamBytes()).isEqualTo(10_100);
        // nginx HIT + nginx STALE; the MCR hit and the local pull do not count.
        assertThat(t.dockerHubPullsAvoided()).isEqualTo(2);
        assertThat(t.hitRatio()).isEqualTo(3.0 / 4.0);
    }

    @Test
    void totalsCountOnlyEventsSinceTheGivenTime() {
        recordAll(
                manifest(T0, "library/nginx", Outcome.MISS, 100, 100),
                manifest(T0.plusSeconds(60), "library/nginx", Outcome.HIT, 100, 0));

        StatsTotals t = stats.totals(T0.plusSeconds(30));

        assertThat(t.pulls()).isEqualTo(1);
        assertThat(t.hits()).isEqualTo(1);
        assertThat(t.misses()).isZero();
        assertThat(stats.totals(T0.plusSeconds(3600)).pulls()).isZero();
    }

    @Test
    void emptyDatabaseHasZeroTotals() {
        assertThat(stats.totals(null)).isEqualTo(new StatsTotals(0, 0, 0, 0, 0, 0, 0, 0));
        assertThat(stats.perRepository(null)).isEmpty();
        assertThat(stats.recent(10)).isEmpty();
    }

    @Test
    void perRepositoryIsSortedByPullsDescending() {
        recordAll(
                manifest(T0, "library/redis", Outcome.MISS, 50, 50),
                manifest(T0, "library/nginx", Outcome.MISS, 100, 100),
                blob(T0, "library/nginx", Outcome.MISS, 1_000, 1_000),
                manifest(T0.plusSeconds(10), "library/nginx", Outcome.HIT, 100, 0),
                manifest(T0.plusSeconds(20), "library/nginx", Outcome.STALE, 100, 0),
                blob(T0.plusSeconds(30), "library/nginx", Outcome.HIT, 1_000, 0),
                blob(T0.plusSeconds(40), "only/blobs", Outcome.HIT, 7, 0));

        List<RepositoryStats> per = stats.perRepository(null);

        assertThat(per).extracting(RepositoryStats::repository).containsExactly("library/nginx", "library/redis", "only/blobs");
        assertThat(per.get(0)).isEqualTo(new RepositoryStats("library/nginx", 3, 1, 1, 1, 2_300, 1_100, T0.plusSeconds(20)));
        assertThat(per.get(2).pulls()).isZero();
        assertThat(per.get(2).lastPull()).isNull();
    }

    @Test
    void recentListsNewestFirstWithAllFields() {
        PullEvent older = manifest(T0, "library/nginx", Outcome.MISS, 100, 100);
        PullEvent newer = blob(T0.plusSeconds(5), "library/nginx", Outcome.HIT, 1_000, 0);
        PullEvent newest = manifest(T0.plusSeconds(9), "library/redis", Outcome.HIT, 70, 0);
        recordAll(older, newer, newest);

        // each manifest GET by tag started an image pull, stored when the flush ended it (after its requests); the
        // blob GET by the same client belongs to the nginx pull
        PullEvent newestPull = image(newest);
        PullEvent olderPull = new PullEvent(T0, "library/nginx", "latest", M1.toString(), Kind.IMAGE, Outcome.MISS, 1_100, 100,
                5_001_200, "127.0.0.1");
        assertThat(stats.recent(2)).containsExactly(newestPull, newest);
        assertThat(stats.recent(10)).containsExactly(newestPull, newest, newer, olderPull, older);
    }

    @Test
    void overTimeGivesContinuousZeroFilledBuckets() {
        Instant start = T0;
        recordAll(
                manifest(start.plusSeconds(10), "a/b", Outcome.HIT, 1, 0),
                manifest(start.plusSeconds(20), "a/b", Outcome.MISS, 1, 1),
                blob(start.plusSeconds(25), "a/b", Outcome.MISS, 1, 1),
                manifest(start.plusSeconds(3 * 60 + 5), "a/b", Outcome.STALE, 1, 0),
                manifest(start.plusSeconds(3 * 60 + 6), "a/b", Outcome.HIT, 1, 0));

        List<TimeBucket> buckets = stats.overTime(start.plusSeconds(30), start.plusSeconds(4 * 60), Duration.ofMinutes(1));

        // The first bucket is aligned to the minute; events before 'since' are not counted in it.
        assertThat(buckets).containsExactly(
                new TimeBucket(start, 0, 0, 0),
                new TimeBucket(start.plusSeconds(60), 0, 0, 0),
                new TimeBucket(start.plusSeconds(120), 0, 0, 0),
                new TimeBucket(start.plusSeconds(180), 1, 0, 1));
        assertThat(stats.overTime(start, start.plusSeconds(60), Duration.ofMinutes(1)))
                .containsExactly(new TimeBucket(start, 1, 1, 0));
    }

    @Test
    void overTimeUpToNowUsesTheClock() {
        recordAll(manifest(T0.plusSeconds(30 * 60), "a/b", Outcome.HIT, 1, 0));

        List<TimeBucket> buckets = stats.overTime(T0, Duration.ofMinutes(15));

        assertThat(buckets).extracting(TimeBucket::start)
                .containsExactly(T0, T0.plusSeconds(15 * 60), T0.plusSeconds(30 * 60), T0.plusSeconds(45 * 60));
        assertThat(buckets.get(2).hits()).isEqualTo(1);
    }

    @Test
    void overTimeRejectsTooFineBuckets() {
        assertThatThrownBy(() -> stats.overTime(T0, T0.plusSeconds(1), Duration.ofMillis(10)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> stats.overTime(T0.minus(Duration.ofDays(365)), T0, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void pruneDeletesOnlyOlderEvents() {
        recordAll(
                manifest(T0.minus(Duration.ofDays(100)), "a/b", Outcome.MISS, 1, 1),
                manifest(T0.minus(Duration.ofDays(91)), "a/b", Outcome.HIT, 1, 0),
                manifest(T0.minus(Duration.ofDays(10)), "a/b", Outcome.HIT, 1, 0));

        // two manifest GETs and the two image pulls they were
        assertThat(stats.pruneExpired()).isEqualTo(4);

        assertThat(stats.recent(10)).extracting(PullEvent::at).containsOnly(T0.minus(Duration.ofDays(10))).hasSize(2);
        assertThat(stats.prune(T0.minus(Duration.ofDays(20)))).isZero();
    }

    /** The figures the statistics give for {@code since}, all in one value, so two answers compare at once. */
    record Figures(StatsTotals totals, List<RepositoryStats> repositories, List<TimeBucket> hourly, List<TimeBucket> twoHourly) {
    }

    Figures figures(Instant since) {
        Instant until = T0.plus(Duration.ofHours(2));
        Instant chartFrom = since == null ? T0.minus(Duration.ofHours(6)) : since;
        return new Figures(stats.totals(since), stats.perRepository(since),
                stats.overTime(chartFrom, until, Duration.ofHours(1)), stats.overTime(chartFrom, until, Duration.ofHours(2)));
    }

    long rawEvents() {
        return db.query(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM pull_events");
                 java.sql.ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Test
    void theHourlySumsGiveTheFiguresTheRawEventsGave() {
        cachedFrom("library/nginx", "nginx-rule", "docker.io/library/nginx");
        Instant start = T0.minus(Duration.ofHours(4));
        recordAll(
                manifest(start.plusSeconds(10), "library/nginx", Outcome.MISS, 100, 100),
                blob(start.plusSeconds(11), "library/nginx", Outcome.MISS, 10_000, 10_000),
                manifest(start.plus(Duration.ofMinutes(70)), "library/nginx", Outcome.HIT, 100, 0),
                blob(start.plus(Duration.ofMinutes(71)), "library/nginx", Outcome.HIT, 10_000, 0),
                manifest(start.plus(Duration.ofMinutes(130)), "library/nginx", Outcome.STALE, 100, 0),
                manifest(start.plus(Duration.ofMinutes(131)), "team/app", Outcome.LOCAL, 300, 0),
                blob(start.plus(Duration.ofMinutes(132)), "team/app", Outcome.LOCAL, 3_000, 0),
                manifest(start.plus(Duration.ofMinutes(250)), "library/nginx", Outcome.FAILED, 0, 0),
                manifest(start.plus(Duration.ofMinutes(251)), "team/app", Outcome.HIT, 300, 0));
        Figures all = figures(null);
        Figures sinceTwoHours = figures(T0.minus(Duration.ofHours(2)));
        assertThat(all.totals().pulls()).isEqualTo(6);
        assertThat(all.totals().dockerHubPullsAvoided()).isEqualTo(2);
        assertThat(sinceTwoHours.totals().pulls()).isEqualTo(4);
        assertThat(all.hourly()).extracting(TimeBucket::hits).contains(1L, 1L);

        // Every raw event is now past the horizon: the same questions go to the hourly sums.
        RawPullEvents.deleteBefore(db, T0.plus(Duration.ofHours(1)));
        assertThat(rawEvents()).isZero();

        assertThat(figures(null)).isEqualTo(all);
        assertThat(figures(T0.minus(Duration.ofHours(2)))).isEqualTo(sinceTwoHours);
        // Past the horizon, since counts from the start of its hour.
        assertThat(stats.totals(T0.minus(Duration.ofMinutes(119))).pulls()).isEqualTo(4);
        assertThat(stats.totals(T0.minus(Duration.ofMinutes(121))).pulls()).isEqualTo(5);
    }

    @Test
    void theStatisticsReadOnlyTheNewestRawEventsAndTheHousekeepingDeletesTheRest() {
        recorder.close();
        int limit = 10;
        recorder = new PullEventRecorder(db, PullEventRecorder.DEFAULT_CAPACITY, ImagePulls.IDLE,
                Clock.fixed(T0, ZoneOffset.UTC), limit);
        Instant start = T0.minus(Duration.ofHours(5));
        for (int i = 0; i < 30; i++) {
            // Each flush stores the manifest GET and the image pull it was: one batch; the horizon moves every third.
            recordAll(manifest(start.plus(Duration.ofMinutes(10L * i)), "repo/" + (i % 3), Outcome.HIT, 100, 0));
        }
        recordAll(manifest(start.plus(Duration.ofMinutes(300)), "repo/0", Outcome.HIT, 100, 0));
        // The writer moves the horizon after a flush returns; once closed, it has.
        recorder.close();

        assertThat(rawEvents()).isEqualTo(62);
        // Moved last with the 30th batch, to the time of the 11th newest event then: the newest ten (five pulls and their
        // GETs) and the one at its instant.
        Instant horizon = RawPullEvents.horizon(db);
        assertThat(horizon).isEqualTo(start.plus(Duration.ofMinutes(240)));
        assertThat(stats.totals(null).pulls()).isEqualTo(31);
        assertThat(stats.totals(null).bytesServed()).isEqualTo(3_100);
        assertThat(stats.totals(horizon).pulls()).isEqualTo(7);
        assertThat(stats.perRepository(null)).extracting(RepositoryStats::pulls).containsExactly(11L, 10L, 10L);
        assertThat(stats.perRepository(null)).extracting(RepositoryStats::lastPull).containsExactlyInAnyOrder(
                start.plus(Duration.ofMinutes(300)), start.plus(Duration.ofMinutes(280)), start.plus(Duration.ofMinutes(290)));
        assertThat(stats.overTime(start, T0, Duration.ofHours(1))).extracting(TimeBucket::hits)
                .containsExactly(6L, 6L, 6L, 6L, 6L);

        // The hourly housekeeping deletes what lies before the horizon; the figures stay.
        assertThat(stats.deletePastHorizon()).isEqualTo(48);
        assertThat(rawEvents()).isEqualTo(14);
        assertThat(stats.totals(null).pulls()).isEqualTo(31);
        assertThat(stats.recent(4)).extracting(PullEvent::at).containsExactly(start.plus(Duration.ofMinutes(300)),
                start.plus(Duration.ofMinutes(300)), start.plus(Duration.ofMinutes(290)), start.plus(Duration.ofMinutes(290)));
        // The last pull of each repository outlives its raw events.
        assertThat(stats.lastPullPerRepository()).extracting(PullEvent::repository, PullEvent::at).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("repo/0", start.plus(Duration.ofMinutes(300))),
                org.assertj.core.groups.Tuple.tuple("repo/1", start.plus(Duration.ofMinutes(280))),
                org.assertj.core.groups.Tuple.tuple("repo/2", start.plus(Duration.ofMinutes(290))));

        // The daily housekeeping bounds them too, whatever the horizon was.
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE pull_event_horizon SET horizon = ?")) {
                ps.setObject(1, OffsetDateTime.ofInstant(Instant.EPOCH, ZoneOffset.UTC));
                ps.executeUpdate();
            }
            return null;
        });
        // Four kept, and the two at the same instant as the fourth (the manifest GET and its image pull).
        long before = rawEvents();
        assertThat(new PullStatistics(db, Clock.fixed(T0, ZoneOffset.UTC), 4).pruneExpired()).isEqualTo(before - 6);
        assertThat(rawEvents()).isEqualTo(6);
        assertThat(stats.totals(null).pulls()).isEqualTo(31);
    }

    @Test
    void theLastPullOfARepositoryIsItsNewestImagePullWhicheverNodeStoredIt() {
        PullEventRecorder other = new PullEventRecorder(db);
        try {
            recordAll(manifest(T0, "a/one", Outcome.HIT, 1, 0), manifest(T0.plusSeconds(5), "b/two", Outcome.MISS, 1, 1));
            other.record(new PullEvent(T0.plusSeconds(60), "a/one", "latest", null, Kind.MANIFEST, Outcome.FAILED, 0, 0, 10,
                    "10.0.0.2", "upstream unreachable"));
            other.flush();
            // Older than what the other node stored: does not replace it.
            recordAll(manifest(T0.plusSeconds(30), "a/one", Outcome.HIT, 1, 0));

            List<PullEvent> last = stats.lastPullPerRepository();

            assertThat(last).extracting(PullEvent::repository, PullEvent::at, PullEvent::outcome, PullEvent::kind)
                    .containsExactlyInAnyOrder(
                            org.assertj.core.groups.Tuple.tuple("a/one", T0.plusSeconds(60), Outcome.FAILED, Kind.IMAGE),
                            org.assertj.core.groups.Tuple.tuple("b/two", T0.plusSeconds(5), Outcome.MISS, Kind.IMAGE));
            assertThat(last).filteredOn(e -> e.repository().equals("a/one")).extracting(PullEvent::error, PullEvent::client)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("upstream unreachable", "10.0.0.2"));
        } finally {
            other.close();
        }
    }

    @Test
    void pruneForgetsTheHourlySumsAndLastPullsOlderThanTheRetention() {
        recordAll(
                manifest(T0.minus(Duration.ofDays(100)), "old/repo", Outcome.MISS, 1, 1),
                manifest(T0.minus(Duration.ofDays(10)), "a/b", Outcome.HIT, 1, 0));

        stats.pruneExpired();

        assertThat(stats.totals(null).pulls()).isEqualTo(1);
        assertThat(stats.perRepository(null)).extracting(RepositoryStats::repository).containsExactly("a/b");
        assertThat(stats.lastPullPerRepository()).extracting(PullEvent::repository).containsExactly("a/b");
    }
}
