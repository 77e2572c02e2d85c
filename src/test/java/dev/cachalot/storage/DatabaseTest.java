package dev.cachalot.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseTest {

    @TempDir
    Path root;

    static boolean indexExists(Database db, String name) {
        return db.query(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT 1 FROM INFORMATION_SCHEMA.INDEXES WHERE INDEX_NAME = ?")) {
                ps.setString(1, name.toUpperCase(java.util.Locale.ROOT));
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    @Test
    void reopeningAppliesNothingTwiceAndKeepsData() {
        try (Database db = Database.open(new DataFolder(root))) {
            db.query(c -> {
                try (Statement s = c.createStatement()) {
                    return s.executeUpdate("INSERT INTO settings (name, value) VALUES ('listen', '127.0.0.1:5000')");
                }
            });
        }
        try (Database db = Database.open(new DataFolder(root))) {
            String listen = db.query(c -> {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT value FROM settings WHERE name = 'listen'")) {
                    return rs.next() ? rs.getString(1) : null;
                }
            });
            assertThat(listen).isEqualTo("127.0.0.1:5000");
        }
    }

    @Test
    void theShippedVersionsAreExactlyTheScriptsInTheMigrationFolder() throws Exception {
        // Database skips Flyway when its history covers SHIPPED_VERSIONS: a script missing from that list never runs.
        Path folder = Path.of(Database.class.getResource("/db/migration").toURI());
        List<Integer> scripts;
        try (Stream<Path> files = Files.list(folder)) {
            scripts = files.map(f -> f.getFileName().toString())
                    .map(name -> Integer.parseInt(name.substring(1, name.indexOf("__")))).sorted().toList();
        }
        assertThat(Database.SHIPPED_VERSIONS).containsExactlyInAnyOrderElementsOf(scripts);
    }

    @Test
    void appliesAMigrationNumberedBelowOneAlreadyApplied() {
        // A database that has a later area's migration (V99, unknown to this build) but not V20, as when areas land
        // out of order: V20 still runs, and the unknown V99 does not stop the open. (V20's third index, on pull_events,
        // V70 dropped; V20 creates it again here.)
        try (Database db = Database.open(new DataFolder(root))) {
            execute(db, "DROP INDEX ix_manifests_digest", "DROP INDEX ix_manifests_created",
                    "DELETE FROM \"flyway_schema_history\" WHERE \"version\" = '20'",
                    "INSERT INTO \"flyway_schema_history\" (\"installed_rank\", \"version\", \"description\", \"type\","
                            + " \"script\", \"checksum\", \"installed_by\", \"execution_time\", \"success\")"
                            + " VALUES (99, '99', 'later area', 'SQL', 'V99__later_area.sql', 0, 'cachalot', 0, TRUE)");
            assertThat(indexExists(db, "ix_manifests_digest")).isFalse();
        }

        try (Database db = Database.open(new DataFolder(root))) {
            assertThat(indexExists(db, "ix_manifests_digest")).isTrue();
            assertThat(LegacyHistoryTakeoverTest.flywayHistory(db)).contains("20 SQL", "99 SQL");
        }
    }

    /** An idle engine empties H2's page cache for its collection to free; what was in it is read from the file again. */
    @Test
    void anIdleReleaseEmptiesThePageCacheAndLosesNothing() {
        try (Database db = Database.open(new DataFolder(root))) {
            execute(db, "CREATE TABLE scratch AS SELECT x AS id, REPEAT('m', 1000) AS body FROM SYSTEM_RANGE(1, 6000)");
            assertThat(scratchRows(db)).isEqualTo(6000);
            assertThat(pageCacheMib(db)).as("pages read and written fill the cache").isGreaterThanOrEqualTo(4);

            db.releaseIdleCache();

            assertThat(pageCacheMib(db)).isZero();
            assertThat(scratchRows(db)).isEqualTo(6000);
            assertThat(pageCacheMib(db)).as("read again as needed").isPositive();
        }
    }

    /** Runs {@code sql} in one transaction. */
    private static void execute(Database db, String... sql) {
        db.inTransaction(c -> {
            try (Statement s = c.createStatement()) {
                for (String statement : sql) {
                    s.execute(statement);
                }
            }
            return null;
        });
    }

    private static long scratchRows(Database db) {
        return db.query(c -> {
            try (Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT COUNT(*), SUM(LENGTH(body)) FROM scratch")) {
                r.next();
                assertThat(r.getLong(2)).isEqualTo(r.getLong(1) * 1000);
                return r.getLong(1);
            }
        });
    }

    private static int pageCacheMib(Database db) {
        return db.query(c -> {
            try (Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS"
                         + " WHERE SETTING_NAME = 'info.CACHE_SIZE'")) {
                r.next();
                return Integer.parseInt(r.getString(1));
            }
        });
    }

    @Test
    void theConfigSignalChangesOnlyAfterACommittedConfigurationChange() {
        try (Database db = Database.open(new DataFolder(root))) {
            long initial = db.configSignal();

            db.inTransaction(c -> {
                try (Statement s = c.createStatement()) {
                    s.executeQuery("SELECT version FROM config_version").close();
                }
                return null;
            });
            assertThat(db.configSignal()).as("no configuration change").isEqualTo(initial);

            org.assertj.core.api.Assertions.assertThatThrownBy(() -> db.inTransaction(c -> {
                Database.bumpConfigVersion(c);
                throw new IllegalStateException("rolled back");
            })).hasMessage("rolled back");
            assertThat(db.configSignal()).as("rolled back").isEqualTo(initial);

            db.inTransaction(c -> {
                Database.bumpConfigVersion(c);
                return null;
            });
            assertThat(db.configSignal()).as("committed").isNotEqualTo(initial).isPositive();
        }
    }

    @Test
    void aSecondOpeningOfTheFolderSeesTheSignalOfTheFirst() {
        try (Database first = Database.open(new DataFolder(root));
             Database second = Database.open(new DataFolder(root))) {
            long before = second.configSignal();
            first.query(c -> {
                Database.bumpConfigVersion(c);
                return null;
            });
            assertThat(second.configSignal()).isNotEqualTo(before);
            assertThat(second.configVersion()).isEqualTo(first.configVersion());
        }
    }

    @Test
    void aBumpInsideAnAutoCommitQueryIsSignalledEvenWhenTheWorkFailsAfterIt() {
        try (Database db = Database.open(new DataFolder(root))) {
            long before = db.configSignal();

            org.assertj.core.api.Assertions.assertThatThrownBy(() -> db.query(c -> {
                Database.bumpConfigVersion(c); // committed at once: auto-commit
                throw new IllegalStateException("later failure");
            })).hasMessage("later failure");

            assertThat(db.configSignal()).isNotEqualTo(before);
        }
    }

    @Test
    void workNestedInABumpingTransactionLeavesTheSignalToItsCommit() {
        try (Database db = Database.open(new DataFolder(root))) {
            long before = db.configSignal();
            long[] seenInside = new long[1];

            db.inTransaction(c -> {
                Database.bumpConfigVersion(c);
                db.query(inner -> null);
                seenInside[0] = db.configSignal();
                return null;
            });

            assertThat(seenInside[0]).as("signalled before the commit").isEqualTo(before);
            assertThat(db.configSignal()).as("signalled after the commit").isNotEqualTo(before);
        }
    }

    @Test
    void aBatchOfPullEventsIsOneFileWriteNotOnePer32Ids() {
        try (Database db = Database.open(new DataFolder(root))) {
            long before = fileWrites(db);
            insertPullEvents(db, 320);
            // One write for the transaction, perhaps one for the identity's progress; H2's default cache of 32 ids
            // wrote it ten times more, each a commit of its own (docs/decisions/0030-durable-commits.md).
            assertThat(fileWrites(db) - before).isLessThanOrEqualTo(2);
        }
        try (Database db = Database.open(new DataFolder(root))) {
            insertPullEvents(db, 1);
            long[] ids = db.query(c -> {
                try (Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT COUNT(DISTINCT id), COUNT(*) FROM pull_events")) {
                    rs.next();
                    return new long[]{rs.getLong(1), rs.getLong(2)};
                }
            });
            assertThat(ids).as("ids stay unique across a reopening").containsExactly(321, 321);
        }
    }

    private static long fileWrites(Database db) {
        return db.query(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'info.FILE_WRITE'")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    private static void insertPullEvents(Database db, int count) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO pull_events (at, repository, reference, kind, outcome,"
                    + " bytes, upstream_bytes, duration_micros) VALUES (CURRENT_TIMESTAMP, 'library/nginx', '1.27', 'MANIFEST',"
                    + " 'HIT', 0, 0, 0)")) {
                for (int i = 0; i < count; i++) {
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }
}
