package dev.cachalot.sync;

import dev.cachalot.storage.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

/**
 * The last sync run of each rule, in the metadata database ({@code rule_sync_runs}, migration V62): shared by every
 * engine on the database and by the CLI, so the portal shows a run whoever made it.
 */
final class SyncRunStore {

    /** One row; {@code runBy}: the {@link RunOwner} text of the process that ran it (null in rows from before V68). */
    record LastRun(String ruleName, Instant startedAt, Instant finishedAt, SyncStatus.Outcome outcome, String summary, String runBy) {
    }

    private static final int MAX_SUMMARY = 4000;

    private final Database database;

    SyncRunStore(Database database) {
        this.database = database;
    }

    void started(String ruleName, Instant at, String runBy) {
        write(ruleName, at, null, SyncStatus.Outcome.RUNNING, null, runBy);
    }

    void finished(String ruleName, Instant startedAt, Instant finishedAt, SyncStatus.Outcome outcome, String summary, String runBy) {
        write(ruleName, startedAt, finishedAt, outcome, summary, runBy);
    }

    /**
     * Records {@code run}, found RUNNING, as {@link SyncStatus.Outcome#INTERRUPTED} with {@code summary}, if the row is
     * still that run (not finished meanwhile, nor replaced by a new run). The end is unknown: no finish time.
     *
     * @return whether it did
     */
    boolean interrupted(LastRun run, String summary) {
        return database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE rule_sync_runs SET outcome = ?, summary = ?"
                    + " WHERE rule_name = ? AND outcome = ? AND started_at = ?"
                    + (run.runBy() == null ? " AND run_by IS NULL" : " AND run_by = ?"))) {
                ps.setString(1, SyncStatus.Outcome.INTERRUPTED.name());
                ps.setString(2, summary);
                ps.setString(3, run.ruleName());
                ps.setString(4, SyncStatus.Outcome.RUNNING.name());
                ps.setObject(5, OffsetDateTime.ofInstant(run.startedAt(), ZoneOffset.UTC));
                if (run.runBy() != null) ps.setString(6, run.runBy());
                return ps.executeUpdate() > 0;
            }
        });
    }

    Map<String, LastRun> all() {
        return database.query(c -> {
            Map<String, LastRun> runs = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT rule_name, started_at, finished_at, outcome, summary, run_by FROM rule_sync_runs");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    OffsetDateTime finished = rs.getObject(3, OffsetDateTime.class);
                    runs.put(rs.getString(1), new LastRun(rs.getString(1), rs.getObject(2, OffsetDateTime.class).toInstant(),
                            finished == null ? null : finished.toInstant(), SyncStatus.Outcome.valueOf(rs.getString(4)), rs.getString(5), rs.getString(6)));
                }
            }
            return runs;
        });
    }

    /** Update, else insert: portable between H2 and PostgreSQL; one writer per rule at a time (the run's holder). */
    private void write(String ruleName, Instant startedAt, Instant finishedAt, SyncStatus.Outcome outcome, String summary, String runBy) {
        String text = summary == null || summary.length() <= MAX_SUMMARY ? summary : summary.substring(0, MAX_SUMMARY - 1) + "…";
        database.inTransaction(c -> {
            if (update(c, ruleName, startedAt, finishedAt, outcome, text, runBy) == 0) {
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO rule_sync_runs (started_at, finished_at, outcome, summary, run_by, rule_name) VALUES (?, ?, ?, ?, ?, ?)")) {
                    bind(ps, ruleName, startedAt, finishedAt, outcome, text, runBy);
                    ps.executeUpdate();
                }
            }
            return null;
        });
    }

    private static int update(Connection c, String ruleName, Instant startedAt, Instant finishedAt, SyncStatus.Outcome outcome,
                              String summary, String runBy) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE rule_sync_runs SET started_at = ?, finished_at = ?, outcome = ?, summary = ?, run_by = ? WHERE rule_name = ?")) {
            bind(ps, ruleName, startedAt, finishedAt, outcome, summary, runBy);
            return ps.executeUpdate();
        }
    }

    private static void bind(PreparedStatement ps, String ruleName, Instant startedAt, Instant finishedAt, SyncStatus.Outcome outcome,
                             String summary, String runBy) throws SQLException {
        ps.setObject(1, OffsetDateTime.ofInstant(startedAt, ZoneOffset.UTC));
        ps.setObject(2, finishedAt == null ? null : OffsetDateTime.ofInstant(finishedAt, ZoneOffset.UTC));
        ps.setString(3, outcome.name());
        ps.setString(4, summary);
        ps.setString(5, runBy);
        ps.setString(6, ruleName);
    }
}
