package dev.cachalot.storage;

import static org.assertj.core.api.Assertions.assertThat;

/** The metadata store contract on a real PostgreSQL 15, each test on a database of its own (a copy of one migrated schema). */
class PostgresMetadataStoreContractTest extends MetadataStoreContract {

    private Database db;

    @Override
    protected MetadataStore newStore() {
        db = Database.openShared(PostgresTestDatabases.migrated());
        assertThat(db.isShared()).isTrue();
        return new JdbcMetadataStore(db);
    }

    @Override
    protected void closeStore() {
        db.close();
    }
}
