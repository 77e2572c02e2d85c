package dev.cachalot.stats;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adds a batch of stored pull events to {@code pull_hours}, the sums per hour and repository that the statistics read
 * once the raw events no longer reach back far enough (docs/decisions/0041-pull-statistics-by-the-hour.md). The sums
 * follow {@link PullStatistics}' definitions: image pulls are counted by outcome, bytes are summed over the requests.
 *
 * <p>Each row belongs to one writer (one {@link PullEventRecorder}), so adding to it is an UPDATE, or an INSERT when
 * the writer has no row for that hour and repository yet: no other node can insert the same row meanwhile.
 */
final class HourlySums {

    static final long SECONDS_PER_HOUR = 3600;

    private static final String ADD = "UPDATE pull_hours SET pulls = pulls + ?, hits = hits + ?, misses = misses + ?,"
            + " stale = stale + ?, failed = failed + ?, bytes_served = bytes_served + ?,"
            + " bytes_from_cache = bytes_from_cache + ?, upstream_bytes = upstream_bytes + ?,"
            + " last_pull = CASE WHEN last_pull IS NULL OR last_pull < ? THEN ? ELSE last_pull END"
            + " WHERE epoch_hour = ? AND writer = ? AND repository = ?";
    private static final String INSERT = "INSERT INTO pull_hours (pulls, hits, misses, stale, failed, bytes_served,"
            + " bytes_from_cache, upstream_bytes, last_pull, epoch_hour, writer, repository)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private HourlySums() {
    }

    /** The hour (since the epoch, UTC) that {@code at} falls in. */
    static long hourOf(Instant at) {
        return Math.floorDiv(at.getEpochSecond(), SECONDS_PER_HOUR);
    }

    /** Adds {@code events} (as stored, clipped) inside the caller's transaction on {@code c}. */
    static void add(Connection c, long writer, List<PullEvent> events) throws SQLException {
        Map<Key, Sum> sums = new LinkedHashMap<>();
        for (PullEvent e : events) {
            sums.computeIfAbsent(new Key(hourOf(e.at()), e.repository()), k -> new Sum()).add(e);
        }
        if (sums.isEmpty()) return;
        Key[] keys = sums.keySet().toArray(new Key[0]);
        int[] updated;
        try (PreparedStatement ps = c.prepareStatement(ADD)) {
            for (Key key : keys) {
                bind(ps, writer, key, sums.get(key), true);
                ps.addBatch();
            }
            updated = ps.executeBatch();
        }
        boolean any = false;
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            for (int i = 0; i < keys.length; i++) {
                if (updated[i] != 0) continue;
                bind(ps, writer, keys[i], sums.get(keys[i]), false);
                ps.addBatch();
                any = true;
            }
            if (any) ps.executeBatch();
        }
    }

    private static void bind(PreparedStatement ps, long writer, Key key, Sum s, boolean update) throws SQLException {
        int i = 1;
        ps.setLong(i++, s.pulls);
        ps.setLong(i++, s.hits);
        ps.setLong(i++, s.misses);
        ps.setLong(i++, s.stale);
        ps.setLong(i++, s.failed);
        ps.setLong(i++, s.bytesServed);
        ps.setLong(i++, s.bytesFromCache);
        ps.setLong(i++, s.upstreamBytes);
        PullStatistics.setInstant(ps, i++, s.lastPull);
        if (update) PullStatistics.setInstant(ps, i++, s.lastPull);
        ps.setLong(i++, key.hour());
        ps.setLong(i++, writer);
        ps.setString(i, key.repository());
    }

    private record Key(long hour, String repository) {
    }

    /** One hour's sums for one repository, as {@link PullStatistics} defines them. */
    private static final class Sum {
        long pulls;
        long hits;
        long misses;
        long stale;
        long failed;
        long bytesServed;
        long bytesFromCache;
        long upstreamBytes;
        Instant lastPull;

        void add(PullEvent e) {
            if (e.kind() == PullEvent.Kind.IMAGE) {
                pulls++;
                switch (e.outcome()) {
                    case HIT -> hits++;
                    case MISS -> misses++;
                    case STALE -> stale++;
                    case FAILED -> failed++;
                    case LOCAL -> { }
                }
                if (lastPull == null || lastPull.isBefore(e.at())) lastPull = e.at();
            } else {
                bytesServed += e.bytes();
                upstreamBytes += e.upstreamBytes();
                if (e.outcome() == PullEvent.Outcome.HIT || e.outcome() == PullEvent.Outcome.STALE
                        || e.outcome() == PullEvent.Outcome.LOCAL) {
                    bytesFromCache += e.bytes();
                }
            }
        }
    }
}
