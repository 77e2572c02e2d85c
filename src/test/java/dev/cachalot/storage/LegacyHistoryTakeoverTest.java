package dev.cachalot.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data folders written before Flyway: the hand-written runner kept its own {@code schema_version} table. Each test
 * builds such a database exactly the way that runner did, then opens it through {@link Database}.
 */
class LegacyHistoryTakeoverTest {

    @TempDir
    Path root;

    @Test
    void aDatabaseAtTodaysSchemaIsTakenOverWithoutRunningAnythingAgain() throws Exception {
        DataFolder folder = new DataFolder(root).ensureCreated();
        createWithOldRunner(folder, "V1__init.sql", "V20__storage_indexes.sql");

        try (Database db = Database.open(folder)) {
            assertThat(setting(db, "listen")).isEqualTo("127.0.0.1:5000");
            assertThat(count(db, "SELECT COUNT(*) FROM repositories WHERE name = 'library/nginx'")).isEqualTo(1);
            assertThat(db.configVersion()).isEqualTo(7);
            assertThat(flywayHistory(db)).containsExactlyElementsOf(history(20));
            assertThat(DatabaseTest.indexExists(db, "ix_manifests_digest")).isTrue();
        }
        try (Database db = Database.open(folder)) {
            assertThat(flywayHistory(db)).as("a second open adds nothing").containsExactlyElementsOf(history(20));
            assertThat(count(db, "SELECT COUNT(*) FROM schema_version")).as("the old history is left alone").isEqualTo(2);
        }
    }

    @Test
    void aDatabaseTheOldRunnerLeftAtV1GetsOnlyTheMigrationsAfterIt() throws Exception {
        DataFolder folder = new DataFolder(root).ensureCreated();
        createWithOldRunner(folder, "V1__init.sql");

        try (Database db = Database.open(folder)) {
            assertThat(flywayHistory(db)).containsExactlyElementsOf(history(1));
            assertThat(DatabaseTest.indexExists(db, "ix_manifests_digest")).isTrue();
            assertThat(setting(db, "listen")).isEqualTo("127.0.0.1:5000");
        }
    }

    @Test
    void aNewDatabaseIsBuiltFromTheSameScriptsWithoutTheOldHistory() {
        try (Database db = Database.open(new DataFolder(root))) {
            assertThat(flywayHistory(db)).containsExactlyElementsOf(history(0));
            assertThat(count(db, "SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_NAME = 'SCHEMA_VERSION'")).isZero();
        }
    }

    /**
     * The Flyway history expected over a database the old runner left at {@code baseline} (0: a new database): that
     * version as the baseline, then every shipped migration after it.
     */
    private static List<String> history(int baseline) {
        List<String> rows = new ArrayList<>();
        if (baseline > 0) rows.add(baseline + " BASELINE");
        for (int version : Database.SHIPPED_VERSIONS) {
            if (version > baseline) rows.add(version + " SQL");
        }
        return rows;
    }

    /** What {@code Database.migrate} did before Flyway: each script split on ';' in one transaction, then a history row. */
    static void createWithOldRunner(DataFolder folder, String... scripts) throws SQLException {
        String url = "jdbc:h2:file:" + folder.database().resolve("cachalot").toString().replace('\\', '/') + ";NON_KEYWORDS=VALUE";
        try (Connection c = DriverManager.getConnection(url, "cachalot", "")) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INT PRIMARY KEY, script VARCHAR(200) NOT NULL, "
                        + "applied_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL)");
            }
            for (String script : scripts) {
                for (String sql : oldStatements(script)) {
                    try (Statement s = c.createStatement()) {
                        s.execute(sql);
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO schema_version (version, script) VALUES (?, ?)")) {
                    ps.setInt(1, Integer.parseInt(script.substring(1, script.indexOf("__"))));
                    ps.setString(2, script);
                    ps.executeUpdate();
                }
            }
            try (Statement s = c.createStatement()) {
                s.execute("INSERT INTO settings (name, value) VALUES ('listen', '127.0.0.1:5000')");
                s.execute("INSERT INTO repositories (name, kind, created_at) VALUES ('library/nginx', 'CACHED', CURRENT_TIMESTAMP)");
                s.execute("UPDATE config_version SET version = 7 WHERE id = 1");
            }
            c.commit();
        }
    }

    private static List<String> oldStatements(String script) {
        try (InputStream in = LegacyHistoryTakeoverTest.class.getResourceAsStream("/db/migration/" + script)) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return Arrays.stream(text.replaceAll("(?m)^--.*$", "").split(";")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Flyway's versioned history as "version type", successful rows only, in the order they were installed. */
    static List<String> flywayHistory(Database db) {
        return db.query(c -> {
            List<String> rows = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT \"version\", \"type\" FROM \"flyway_schema_history\" WHERE \"success\" AND \"version\" IS NOT NULL ORDER BY \"installed_rank\"")) {
                while (rs.next()) rows.add(rs.getString(1) + " " + rs.getString(2));
            }
            return rows;
        });
    }

    private static String setting(Database db, String name) {
        return db.query(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT value FROM settings WHERE name = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        });
    }

    private static long count(Database db, String sql) {
        return db.query(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }
}
