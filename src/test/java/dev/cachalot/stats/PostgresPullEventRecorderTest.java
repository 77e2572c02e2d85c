package dev.cachalot.stats;

import dev.cachalot.storage.Database;
import dev.cachalot.storage.PostgresTestDatabases;

/** {@link PullEventRecorderTest} on a real PostgreSQL 15, each test on a fresh copy of the migrated schema. */
class PostgresPullEventRecorderTest extends PullEventRecorderTest {
    @Override
    Database openDatabase() {
        return Database.openShared(PostgresTestDatabases.migrated());
    }
}
