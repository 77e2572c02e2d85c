package dev.cachalot.rules.io;

import dev.cachalot.storage.Database;
import dev.cachalot.storage.PostgresTestDatabases;

/** {@link RuleImporterTest} on a real PostgreSQL 15, each test on a fresh copy of the migrated schema. */
class PostgresRuleImporterTest extends RuleImporterTest {
    @Override
    ImportFixture openFixture() {
        return new ImportFixture(Database.openShared(PostgresTestDatabases.migrated()));
    }
}
