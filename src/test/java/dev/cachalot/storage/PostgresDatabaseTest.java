package dev.cachalot.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The metadata database on a real PostgreSQL 15: the shipped migrations, unchanged, and the login kept secret. */
class PostgresDatabaseTest {

    private static List<String> appliedVersions(Database db) {
        return db.query(c -> {
            List<String> versions = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT \"version\" FROM \"flyway_schema_history\" WHERE \"success\" ORDER BY \"installed_rank\"")) {
                while (rs.next()) versions.add(rs.getString(1));
            }
            return versions;
        });
    }

    @Test
    void anEmptyDatabaseGetsTheShippedScriptsAfterThePostgresTypes() {
        try (Database db = Database.openShared(PostgresTestDatabases.empty())) {
            List<String> expected = new ArrayList<>(List.of("0"));
            Database.SHIPPED_VERSIONS.forEach(v -> expected.add(v.toString()));
            assertThat(appliedVersions(db)).containsExactlyElementsOf(expected);
            assertThat(db.isShared()).isTrue();
            assertThat(db.configSignalFile()).isNull();
        }
    }

    @Test
    void reopeningAppliesNothingTwiceAndKeepsData() {
        PostgresSettings settings = PostgresTestDatabases.empty();
        try (Database db = Database.openShared(settings)) {
            db.query(c -> {
                try (Statement s = c.createStatement()) {
                    return s.executeUpdate("INSERT INTO settings (name, value) VALUES ('listen', '127.0.0.1:5000')");
                }
            });
        }
        try (Database db = Database.openShared(settings)) {
            String listen = db.query(c -> {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT value FROM settings WHERE name = 'listen'")) {
                    return rs.next() ? rs.getString(1) : null;
                }
            });
            assertThat(listen).isEqualTo("127.0.0.1:5000");
            assertThat(appliedVersions(db)).hasSize(Database.SHIPPED_VERSIONS.size() + 1);
        }
    }

    @Test
    void theClobColumnOfV1HoldsLongText() {
        // upstreams.ca_cert is CLOB in V1; on PostgreSQL the domain from migration 0 makes it text.
        String pem = "-----BEGIN CERTIFICATE-----\n" + "A".repeat(20_000) + "\n-----END CERTIFICATE-----\n";
        try (Database db = Database.openShared(PostgresTestDatabases.migrated())) {
            db.query(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO upstreams (login_server, endpoint, auth_mode, ca_cert,"
                        + " created_at) VALUES ('r.example', 'https://r.example', 'BOTH', ?, CURRENT_TIMESTAMP)")) {
                    ps.setString(1, pem);
                    return ps.executeUpdate();
                }
            });
            String read = db.query(c -> {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT ca_cert FROM upstreams")) {
                    rs.next();
                    return rs.getString(1);
                }
            });
            assertThat(read).isEqualTo(pem);
        }
    }

    @Test
    void theConfigVersionIsSharedByEveryOpener() {
        PostgresSettings settings = PostgresTestDatabases.migrated();
        try (Database one = Database.openShared(settings); Database two = Database.openShared(settings)) {
            long before = two.configVersion();
            one.inTransaction(c -> {
                Database.bumpConfigVersion(c);
                return null;
            });
            assertThat(two.configVersion()).isEqualTo(before + 1);
        }
    }

    @Test
    void aWrongPasswordIsReportedWithoutThePasswords() {
        PostgresSettings right = PostgresTestDatabases.migrated();
        PostgresSettings wrong = new PostgresSettings(right.url(), right.user(), "not-" + right.password());
        assertThatThrownBy(() -> Database.openShared(wrong))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("password authentication failed")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(right.password()))
                .satisfies(e -> assertThat(wrong.toString()).doesNotContain(right.password()));
    }

    @Test
    void settingsComeFromTheEnvironmentOrAFileAndNeverFromTheUrl(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path file = dir.resolve("pw");
        java.nio.file.Files.writeString(file, "s3cret\n");
        Map<String, String> env = Map.of(PostgresSettings.URL_ENV, "jdbc:postgresql://127.0.0.1:5432/cachalot",
                PostgresSettings.USER_ENV, "cachalot", PostgresSettings.PASSWORD_FILE_ENV, file.toString());
        PostgresSettings settings = PostgresSettings.fromEnvironment(env::get).orElseThrow();
        assertThat(settings.password()).isEqualTo("s3cret");
        assertThat(settings.toString()).doesNotContain("s3cret");
        assertThat(PostgresSettings.fromEnvironment(name -> null)).isEmpty();
        assertThatThrownBy(() -> new PostgresSettings("jdbc:postgresql://h/db?user=a&password=s3cret", "a", null))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cret"));
    }
}
