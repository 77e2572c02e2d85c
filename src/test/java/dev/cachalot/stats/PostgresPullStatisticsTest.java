package dev.cachalot.stats;

import dev.cachalot.storage.Database;
import dev.cachalot.storage.PostgresTestDatabases;

/** {@link PullStatisticsTest} on a real PostgreSQL 15, each test on a fresh copy of the migrated schema. */
class PostgresPullStatisticsTest extends PullStatisticsTest {
    @Override
    Database openDatabase() {
        return Database.openShared(PostgresTestDatabases.migrated());
    }
}
