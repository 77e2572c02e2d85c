package dev.cachalot.engine;

import dev.cachalot.storage.Database;

/**
 * The change signal of engines that share one PostgreSQL database: the configuration version itself, read from the
 * database on every request. No file is visible to every node, and a notification (PostgreSQL's {@code LISTEN/NOTIFY})
 * arrives at the other nodes some time after the writer's commit, so a request that reaches another node right after
 * the writer returned could still be served by the old rules; reading the version cannot be early. It costs one
 * primary-key read of a one-row table (measured in docs/scaling.md). See docs/decisions/0013-postgresql-metadata.md.
 */
final class SharedDatabaseSignal implements ChangeSignal {
    private final Database database;

    SharedDatabaseSignal(Database database) {
        this.database = database;
    }

    /** The version, or {@link #UNKNOWN} when the database cannot be asked (the watcher then reports why). */
    @Override
    public long read() {
        try {
            long version = database.configVersion();
            return version == UNKNOWN ? UNKNOWN + 1 : version;
        } catch (RuntimeException e) {
            return UNKNOWN;
        }
    }

    @Override
    public void close() {
        // nothing held: the database belongs to the engine's parts
    }
}
