package dev.cachalot.stats;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps {@code last_pulls}, the last image pull of each repository, in the transaction that stores a batch of pull
 * events: the Cache rules page looks it up instead of searching every image pull stored. One row per repository and
 * writer (see {@link HourlySums}); a row only moves forward in time.
 */
final class LastPulls {

    private static final String COLUMNS = "at = ?, reference = ?, digest = ?, outcome = ?, bytes = ?, upstream_bytes = ?,"
            + " duration_micros = ?, client = ?, error = ?";
    private static final String UPDATE = "UPDATE last_pulls SET " + COLUMNS + " WHERE repository = ? AND writer = ? AND at <= ?";
    private static final String INSERT = "INSERT INTO last_pulls (at, reference, digest, outcome, bytes, upstream_bytes,"
            + " duration_micros, client, error, repository, writer)"
            + " SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM (SELECT 1 AS one) o"
            + " WHERE NOT EXISTS (SELECT 1 FROM last_pulls WHERE repository = ? AND writer = ?)";

    private LastPulls() {
    }

    /** Records the newest image pull of each repository among {@code events} (as stored, clipped). */
    static void update(Connection c, long writer, List<PullEvent> events) throws SQLException {
        Map<String, PullEvent> newest = new LinkedHashMap<>();
        for (PullEvent e : events) {
            if (e.kind() != PullEvent.Kind.IMAGE) continue;
            // Later in the batch wins a tie: it was stored after.
            newest.merge(e.repository(), e, (a, b) -> b.at().isBefore(a.at()) ? a : b);
        }
        if (newest.isEmpty()) return;
        try (PreparedStatement update = c.prepareStatement(UPDATE); PreparedStatement insert = c.prepareStatement(INSERT)) {
            for (PullEvent e : newest.values()) {
                int i = bind(update, e, writer);
                PullStatistics.setInstant(update, i, e.at());
                update.addBatch();
                i = bind(insert, e, writer);
                insert.setString(i++, e.repository());
                insert.setLong(i, writer);
                insert.addBatch();
            }
            update.executeBatch();
            // A row that was there is left alone (updated above, or newer); only missing ones are inserted.
            insert.executeBatch();
        }
    }

    private static int bind(PreparedStatement ps, PullEvent e, long writer) throws SQLException {
        int i = 1;
        PullStatistics.setInstant(ps, i++, e.at());
        ps.setString(i++, e.reference());
        ps.setString(i++, e.digest());
        ps.setString(i++, e.outcome().name());
        ps.setLong(i++, e.bytes());
        ps.setLong(i++, e.upstreamBytes());
        ps.setLong(i++, e.durationMicros());
        ps.setString(i++, e.client());
        ps.setString(i++, e.error());
        ps.setString(i++, e.repository());
        ps.setLong(i++, writer);
        return i;
    }
}
