package dev.cachalot.storage;

import static org.assertj.core.api.Assertions.assertThat;

/** The metadata store contract on a real PostgreSQL 15, each test on a database of its own (a copy of one migrated schema). */
class PostgresMetadataStoreContractTest extends MetadataStoreContract {

    private Database db;
    private JdbcMetadataStore store;

    @Override
    protected MetadataStore newStore() {
        db = Database.openShared(PostgresTestDatabases.migrated());
        assertThat(db.isShared()).isTrue();
        store = new JdbcMetadataStore(db);
        return store;
    }

    @Override
    protected void closeStore() {
        store.close();
        db.close();
    }
}
