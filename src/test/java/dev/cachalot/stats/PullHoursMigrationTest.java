package dev.cachalot.stats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.storage.DataFolder;
import dev.cachalot.storage.Database;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * V70 sums the pull events a data folder already holds into the hourly sums and the last pulls: after the upgrade,
 * the figures the raw events gave are the figures the sums give.
 */
class PullHoursMigrationTest {

    static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");

    @TempDir
    Path root;

    @Test
    void theEventsOfAFolderFromBeforeTheHourlySumsAreSummedByTheUpgrade() throws Exception {
        DataFolder folder = new DataFolder(root);
        Files.createDirectories(folder.database());
        String url = "jdbc:h2:file:" + folder.database().resolve("cachalot") + ";NON_KEYWORDS=VALUE";
        Flyway.configure().dataSource(url, "cachalot", "").locations("classpath:db/migration").target("69").load().migrate();
        try (Connection c = DriverManager.getConnection(url, "cachalot", "");
             PreparedStatement ps = c.prepareStatement("INSERT INTO pull_events (at, repository, reference, digest, kind,"
                     + " outcome, bytes, upstream_bytes, duration_micros, client, error) VALUES (?, ?, 'latest', NULL, ?, ?, ?, ?, 5, '10.0.0.1', ?)")) {
            Object[][] rows = {
                    {T0.minusSeconds(7200), "a/one", "MANIFEST", "MISS", 100L, 100L, null},
                    {T0.minusSeconds(7200), "a/one", "IMAGE", "MISS", 100L, 100L, null},
                    {T0.minusSeconds(7100), "a/one", "BLOB", "HIT", 5_000L, 0L, null},
                    {T0.minusSeconds(3000), "a/one", "MANIFEST", "STALE", 100L, 0L, null},
                    {T0.minusSeconds(3000), "a/one", "IMAGE", "STALE", 100L, 0L, null},
                    {T0.minusSeconds(2000), "b/two", "IMAGE", "FAILED", 0L, 0L, "upstream unreachable"},
                    {T0.minusSeconds(10), "b/two", "MANIFEST", "LOCAL", 300L, 0L, null},
                    {T0.minusSeconds(10), "b/two", "IMAGE", "LOCAL", 300L, 0L, null},
            };
            for (Object[] row : rows) {
                ps.setObject(1, OffsetDateTime.ofInstant((Instant) row[0], ZoneOffset.UTC));
                for (int i = 1; i < row.length; i++) ps.setObject(i + 1, row[i]);
                ps.executeUpdate();
            }
        }

        try (Database db = Database.open(folder)) {
            PullStatistics stats = new PullStatistics(db, Clock.fixed(T0, ZoneOffset.UTC));
            Instant chart = T0.minus(Duration.ofHours(3));
            StatsTotals totals = stats.totals(null);
            List<RepositoryStats> repositories = stats.perRepository(null);
            List<TimeBucket> hourly = stats.overTime(chart, Duration.ofHours(1));
            assertThat(totals.pulls()).isEqualTo(4);
            assertThat(totals.bytesServed()).isEqualTo(5_500);

            RawPullEvents.deleteBefore(db, T0.plusSeconds(1));

            assertThat(stats.totals(null)).isEqualTo(totals);
            assertThat(stats.perRepository(null)).isEqualTo(repositories);
            assertThat(stats.overTime(chart, Duration.ofHours(1))).isEqualTo(hourly);
            assertThat(stats.lastPullPerRepository()).extracting(PullEvent::repository, PullEvent::at, PullEvent::outcome)
                    .containsExactlyInAnyOrder(
                            org.assertj.core.groups.Tuple.tuple("a/one", T0.minusSeconds(3000), PullEvent.Outcome.STALE),
                            org.assertj.core.groups.Tuple.tuple("b/two", T0.minusSeconds(10), PullEvent.Outcome.LOCAL));
        }
    }
}
