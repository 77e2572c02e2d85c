package dev.cachalot.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
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
    void appliesAMigrationNumberedBelowOneAlreadyApplied() {
        // Simulate a database that has a later area's migration (V99) but not V20, as when areas land out of order.
        try (Database db = Database.open(new DataFolder(root))) {
            db.inTransaction(c -> {
                try (Statement s = c.createStatement()) {
                    s.execute("DROP INDEX ix_manifests_digest");
                    s.execute("DROP INDEX ix_manifests_created");
                    s.execute("DROP INDEX ix_pull_events_kind_at");
                    s.execute("DELETE FROM schema_version WHERE version = 20");
                    s.execute("INSERT INTO schema_version (version, script) VALUES (99, 'V99__later_area.sql')");
                }
                return null;
            });
            assertThat(indexExists(db, "ix_manifests_digest")).isFalse();
        }

        try (Database db = Database.open(new DataFolder(root))) {
            assertThat(indexExists(db, "ix_manifests_digest")).isTrue();
        }
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
}
