package dev.cachalot.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.storage.DataFolder;
import dev.cachalot.storage.Database;
import dev.cachalot.storage.PostgresTestDatabases;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Settings saved and saved again (the insert, then the update of each row), on H2 and on PostgreSQL. */
class SettingsStoreTest {

    @TempDir
    Path dir;

    private static void savesThenOverwrites(Database database) {
        SettingsStore store = new SettingsStore(database);
        assertThat(store.load()).isEqualTo(EngineSettings.DEFAULTS);
        long version = database.configVersion();

        EngineSettings first = new EngineSettings("127.0.0.1:5001", "ttl:10m", 1_000_000);
        store.save(first);
        assertThat(store.load()).isEqualTo(first);

        EngineSettings second = new EngineSettings("127.0.0.1:5002", "revalidate", 2_000_000);
        store.save(second);
        assertThat(store.load()).isEqualTo(second);
        assertThat(database.configVersion()).isEqualTo(version + 2);
    }

    @Test
    void onTheEmbeddedDatabase() {
        try (Database database = Database.open(new DataFolder(dir))) {
            savesThenOverwrites(database);
        }
    }

    @Test
    void onPostgres() {
        try (Database database = Database.openShared(PostgresTestDatabases.migrated())) {
            savesThenOverwrites(database);
        }
    }
}
