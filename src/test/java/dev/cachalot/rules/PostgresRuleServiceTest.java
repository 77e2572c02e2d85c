package dev.cachalot.rules;

import dev.cachalot.storage.Database;
import dev.cachalot.storage.PostgresTestDatabases;

/** {@link RuleServiceTest} on a real PostgreSQL 15, each test on a fresh copy of the migrated schema. */
class PostgresRuleServiceTest extends RuleServiceTest {
    @Override
    Database openDatabase() {
        return Database.openShared(PostgresTestDatabases.migrated());
    }
}
