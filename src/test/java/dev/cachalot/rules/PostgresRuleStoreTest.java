package dev.cachalot.rules;

import dev.cachalot.storage.Database;
import dev.cachalot.storage.PostgresTestDatabases;

/** {@link RuleStoreTest} on a real PostgreSQL 15, each test on a fresh copy of the migrated schema. */
class PostgresRuleStoreTest extends RuleStoreTest {
    @Override
    Database openDatabase() {
        return Database.openShared(PostgresTestDatabases.migrated());
    }
}
