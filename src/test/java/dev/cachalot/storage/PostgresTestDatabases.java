package dev.cachalot.storage;

import dev.cachalot.testing.PostgresServer;

/**
 * Databases on the JVM's {@link PostgresServer} for tests of the metadata database on PostgreSQL: fresh and empty,
 * or already migrated (copies of one database {@link Database#openShared} migrated once, so Flyway's own run is
 * covered once per JVM and each test still starts from a clean, current schema).
 */
public final class PostgresTestDatabases {
    private static String migratedTemplate;

    private PostgresTestDatabases() {
    }

    /** A new, empty database: {@link Database#openShared} runs every migration on it. */
    public static PostgresSettings empty() {
        return settings(PostgresServer.shared().newDatabase());
    }

    /** A new database with the current schema and nothing in it. */
    public static PostgresSettings migrated() {
        return settings(PostgresServer.shared().newDatabase(template()));
    }

    private static synchronized String template() {
        if (migratedTemplate == null) {
            PostgresServer.Database d = PostgresServer.shared().newDatabase();
            Database.openShared(settings(d)).close();
            migratedTemplate = d.name();
        }
        return migratedTemplate;
    }

    private static PostgresSettings settings(PostgresServer.Database d) {
        return new PostgresSettings(d.url(), d.user(), d.password());
    }
}
