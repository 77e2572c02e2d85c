package dev.cachalot.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded database gives back the space of deleted rows as it closes, and only then: a file still mostly live is
 * left as it is, and a second {@link Database} on the same folder (a CLI beside a running engine) never shuts the
 * first one's database down. The threshold is lowered from {@link Database#COMPACT_MIN_FILE_BYTES} (64 MiB) to 4 MiB
 * so the files stay small.
 */
class DatabaseCompactionTest {

    private static final long THRESHOLD = 4L * 1024 * 1024;
    /** Rows of ~1 KiB: 24 MiB of them, well above the threshold. */
    private static final int ROWS = 24 * 1024;

    @TempDir
    Path root;

    @Test
    void aFileMostlyOfDeletedRowsShrinksAsTheDatabaseCloses() throws Exception {
        DataFolder folder = new DataFolder(root);
        Database db = Database.open(folder);
        keep(db, "listen", "127.0.0.1:5000");
        fill(db);
        execute(db, "DELETE FROM bloat");
        long before = Files.size(db.databaseFile());
        assertThat(before).isGreaterThan(4 * THRESHOLD);

        db.close(THRESHOLD);

        long after = Files.size(db.databaseFile());
        assertThat(after).isLessThan(before / 4);
        // H2 writes errors it swallows to a trace file beside the database: none.
        assertThat(db.databaseFile().resolveSibling(Database.NAME + ".trace.db")).doesNotExist();
        try (Database reopened = Database.open(folder)) {
            assertThat(kept(reopened, "listen")).isEqualTo("127.0.0.1:5000");
            assertThat(count(reopened, "bloat")).isZero();
        }
    }

    @Test
    void aFileMostlyOfLiveRowsIsLeftAsItIs() throws Exception {
        DataFolder folder = new DataFolder(root);
        Database db = Database.open(folder);
        fill(db);
        long before = Files.size(db.databaseFile());

        db.close(THRESHOLD);

        assertThat(Files.size(db.databaseFile())).isGreaterThanOrEqualTo(before);
        try (Database reopened = Database.open(folder)) {
            assertThat(count(reopened, "bloat")).isEqualTo(ROWS);
        }
    }

    @Test
    void closingASecondDatabaseOnTheFolderLeavesTheFirstOneOpen() throws Exception {
        DataFolder folder = new DataFolder(root);
        try (Database engine = Database.open(folder)) {
            fill(engine);
            execute(engine, "DELETE FROM bloat");
            long before = Files.size(engine.databaseFile());

            Database cli = Database.open(folder);
            cli.close(THRESHOLD);

            // Still open and writable for the first one, and nothing compacted under it.
            keep(engine, "listen", "127.0.0.1:5001");
            assertThat(kept(engine, "listen")).isEqualTo("127.0.0.1:5001");
            assertThat(Files.size(engine.databaseFile())).isGreaterThanOrEqualTo(before);
        }
    }

    private static void fill(Database db) {
        execute(db, "CREATE TABLE bloat (id INT PRIMARY KEY, payload VARCHAR(2000))");
        String payload = "x".repeat(1000);
        db.query(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO bloat (id, payload) VALUES (?, ?)")) {
                for (int i = 0; i < ROWS; i++) {
                    ps.setInt(1, i);
                    // Distinct text per row, so no layer below can store it as one repeated value.
                    ps.setString(2, i + payload);
                    ps.addBatch();
                    if (i % 1024 == 1023) ps.executeBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    private static void execute(Database db, String sql) {
        db.query(c -> {
            try (Statement s = c.createStatement()) {
                return s.executeUpdate(sql);
            }
        });
    }

    private static void keep(Database db, String name, String value) {
        db.query(c -> {
            try (PreparedStatement ps = c.prepareStatement("MERGE INTO settings (name, value) KEY (name) VALUES (?, ?)")) {
                ps.setString(1, name);
                ps.setString(2, value);
                return ps.executeUpdate();
            }
        });
    }

    private static String kept(Database db, String name) {
        return db.query(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT value FROM settings WHERE name = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        });
    }

    private static long count(Database db, String table) {
        return db.query(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }
}
