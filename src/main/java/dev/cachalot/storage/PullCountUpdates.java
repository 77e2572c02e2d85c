package dev.cachalot.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * The SQL of {@link PullCounters#recordPulls}, on a connection whose transaction the caller owns: the pull event
 * writer stores a batch's events and its counters in one commit (each commit is a file write on H2).
 */
public final class PullCountUpdates {

    private PullCountUpdates() {
    }

    /** Adds {@code counts} inside the caller's transaction on {@code c}; rows deleted meanwhile are skipped. */
    public static void apply(Connection c, List<PullCount> counts) throws SQLException {
        if (counts.isEmpty()) return;
        // Events may be recorded slightly out of order; last_pulled_at never moves backwards.
        String counted = "pull_count = pull_count + ?, "
                + "last_pulled_at = CASE WHEN last_pulled_at IS NULL OR last_pulled_at < ? THEN ? ELSE last_pulled_at END";
        try (PreparedStatement repositories = c.prepareStatement("UPDATE repositories SET " + counted + " WHERE name = ?");
             PreparedStatement tags = c.prepareStatement("UPDATE tags SET " + counted + " WHERE repository = ? AND tag = ?");
             PreparedStatement manifests = c.prepareStatement(
                     "UPDATE manifests SET " + counted + " WHERE repository = ? AND digest = ?")) {
            for (PullCount count : counts) {
                bindCount(repositories, count).setString(4, count.repository().value());
                repositories.addBatch();
                if (count.tagOrNull() != null) {
                    bindCount(tags, count).setString(4, count.repository().value());
                    tags.setString(5, count.tagOrNull());
                    tags.addBatch();
                }
                bindCount(manifests, count).setString(4, count.repository().value());
                manifests.setString(5, count.digest().toString());
                manifests.addBatch();
            }
            repositories.executeBatch();
            tags.executeBatch();
            manifests.executeBatch();
        }
    }

    private static PreparedStatement bindCount(PreparedStatement ps, PullCount count) throws SQLException {
        ps.setInt(1, count.pulls());
        JdbcMetadataStore.setInstant(ps, 2, count.lastAt());
        JdbcMetadataStore.setInstant(ps, 3, count.lastAt());
        return ps;
    }
}
