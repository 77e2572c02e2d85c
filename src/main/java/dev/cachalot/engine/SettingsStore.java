package dev.cachalot.engine;

import dev.cachalot.storage.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.Map;

/** Engine settings as name/value rows in the metadata database, shared by every process on the data folder. */
final class SettingsStore {
    private final Database database;

    SettingsStore(Database database) {
        this.database = database;
    }

    EngineSettings load() {
        Map<String, String> values = database.query(c -> {
            Map<String, String> m = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT name, value FROM settings"); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) m.put(rs.getString(1), rs.getString(2));
            }
            return m;
        });
        EngineSettings d = EngineSettings.DEFAULTS;
        return new EngineSettings(
                values.getOrDefault("listen", d.listen()),
                values.getOrDefault("defaultFreshness", d.defaultFreshness()),
                Long.parseLong(values.getOrDefault("maxCacheBytes", Long.toString(d.maxCacheBytes()))));
    }

    void save(EngineSettings s) {
        database.inTransaction(c -> {
            // Standard MERGE, which H2 and PostgreSQL 15 both run (H2's MERGE ... KEY is H2's own).
            try (PreparedStatement ps = c.prepareStatement("MERGE INTO settings t"
                    + " USING (VALUES (CAST(? AS VARCHAR(100)), CAST(? AS VARCHAR(4096)))) s(name, value) ON t.name = s.name"
                    + " WHEN MATCHED THEN UPDATE SET value = s.value"
                    + " WHEN NOT MATCHED THEN INSERT (name, value) VALUES (s.name, s.value)")) {
                put(ps, "listen", s.listen());
                put(ps, "defaultFreshness", s.defaultFreshness());
                put(ps, "maxCacheBytes", Long.toString(s.maxCacheBytes()));
                ps.executeBatch();
            }
            Database.bumpConfigVersion(c);
            return null;
        });
    }

    private static void put(PreparedStatement ps, String name, String value) throws java.sql.SQLException {
        ps.setString(1, name);
        ps.setString(2, value);
        ps.addBatch();
    }
}
