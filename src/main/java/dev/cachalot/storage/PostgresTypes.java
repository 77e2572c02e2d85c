package dev.cachalot.storage;

import java.sql.Statement;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;

/**
 * Migration 0, on PostgreSQL only: the names of H2 column types that PostgreSQL lacks, defined as domains, so the
 * scripts H2 databases already applied run unchanged on PostgreSQL (one set of scripts, the same checksums). Shipped
 * scripts cannot be edited: their checksums are recorded in users' databases. Only {@code CLOB} (V1's
 * {@code upstreams.ca_cert}) needs this; new scripts use portable types. See docs/decisions/0013-postgresql-metadata.md.
 *
 * <p>A migration rather than a statement before Flyway starts: Flyway refuses to migrate a schema that already holds
 * objects but no history, and it runs migrations under its PostgreSQL advisory lock, so nodes starting together do not
 * race to create the same type.
 */
final class PostgresTypes implements JavaMigration {

    @Override
    public MigrationVersion getVersion() {
        return MigrationVersion.fromVersion("0");
    }

    @Override
    public String getDescription() {
        return "postgres types";
    }

    /** Fixed: this migration never changes once shipped, like the scripts. */
    @Override
    public Integer getChecksum() {
        return 1;
    }

    @Override
    public boolean canExecuteInTransaction() {
        return true;
    }

    @Override
    public void migrate(Context context) throws Exception {
        try (Statement s = context.getConnection().createStatement()) {
            s.execute("CREATE DOMAIN clob AS text");
        }
    }
}
