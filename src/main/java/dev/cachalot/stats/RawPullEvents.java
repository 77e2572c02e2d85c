package dev.cachalot.stats;

import dev.cachalot.storage.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * How far back {@code pull_events}, the raw events, are used: every event at or after the horizon is there, and the
 * statistics answer questions about spans before it from the hourly sums ({@link HourlySums}). The pull event writer
 * moves it forward as events come, to about the newest {@link #DEFAULT_LIMIT}; the housekeeping deletes what lies
 * before it (hourly), and the retention moves it to 90 days ago. It always moves before rows go, so a reader that
 * trusts it never counts from a table emptied under it (it checks the horizon again after its query).
 */
final class RawPullEvents {

    /**
     * Raw events the statistics read (about 55 MB of H2 file's worth): the recent requests the portal lists, and exact figures for as far back
     * as they reach; at ~14 events per 10-layer image pull, some 7,000 pulls.
     */
    static final int DEFAULT_LIMIT = 100_000;

    private static final int CHUNK = 10_000;

    private RawPullEvents() {
    }

    static Instant horizon(Database db) {
        return db.query(RawPullEvents::horizon);
    }

    static Instant horizon(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT horizon FROM pull_event_horizon WHERE id = 1");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? PullStatistics.getInstant(rs, "horizon") : Instant.EPOCH;
        }
    }

    /** Moves the horizon to {@code to} unless it is there already or further. */
    static void advance(Database db, Instant to) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE pull_event_horizon SET horizon = ? WHERE id = 1 AND horizon < ?")) {
                PullStatistics.setInstant(ps, 1, to);
                PullStatistics.setInstant(ps, 2, to);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /**
     * Moves the horizon to the time of the newest event past {@code limit} (when there are more than that), so that
     * questions about spans before it are answered from the hourly sums and no raw question reads more than about
     * {@code limit} events. Deletes nothing: that is {@link #deletePastHorizon}'s, off the writer's thread.
     */
    static void advanceToLimit(Database db, int limit) {
        Instant cut = db.query(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT at FROM pull_events ORDER BY at DESC OFFSET ? ROWS FETCH FIRST 1 ROW ONLY")) {
                ps.setInt(1, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? PullStatistics.getInstant(rs, "at") : null;
                }
            }
        });
        if (cut != null) advance(db, cut);
    }

    /** Deletes the events before the horizon, in chunks. */
    static long deletePastHorizon(Database db) {
        return deleteOlderThan(db, horizon(db));
    }

    /** Moves the horizon to {@code before}, then deletes the events older than it, in chunks. */
    static long deleteBefore(Database db, Instant before) {
        advance(db, before);
        return deleteOlderThan(db, before);
    }

    private static long deleteOlderThan(Database db, Instant before) {
        long total = 0;
        while (true) {
            int n = db.inTransaction(c -> {
                // The chunk's ids first, then each by its key. A DELETE ... WHERE id IN (SELECT ... FETCH FIRST n) ran
                // the subquery again for every row H2 looked at: 10 minutes of CPU and counting on a million events.
                List<Long> ids = new ArrayList<>(CHUNK);
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT id FROM pull_events WHERE at < ? ORDER BY at FETCH FIRST " + CHUNK + " ROWS ONLY")) {
                    PullStatistics.setInstant(ps, 1, before);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) ids.add(rs.getLong(1));
                    }
                }
                if (ids.isEmpty()) return 0;
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM pull_events WHERE id = ?")) {
                    for (long id : ids) {
                        ps.setLong(1, id);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                return ids.size();
            });
            total += n;
            if (n < CHUNK) return total;
        }
    }
}
