package dev.cachalot.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.oci.RepositoryName;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The metadata store contract on H2 in a temp data folder, plus what only the H2 store promises. */
class JdbcMetadataStoreContractTest extends MetadataStoreContract {

    @TempDir
    Path root;

    private Database db;

    @Override
    protected MetadataStore newStore() {
        db = Database.open(new DataFolder(root));
        return new JdbcMetadataStore(db);
    }

    @Override
    protected void closeStore() {
        db.close();
    }

    @Test
    void staysUsableWithTenThousandManifests() {
        // Bulk-load through JDBC (putManifest one by one would dominate the test's run time).
        RepositoryName big = RepositoryName.of("big/repo");
        putManifest(big, digest(0), 100);
        db.inTransaction(c -> {
            try (var ps = c.prepareStatement("INSERT INTO manifests (repository, digest, media_type, size, created_at) "
                    + "VALUES (?, ?, ?, ?, CURRENT_TIMESTAMP)")) {
                for (int i = 1; i < 10_000; i++) {
                    ps.setString(1, i % 2 == 0 ? big.value() : "repo" + (i % 50) + "/app");
                    ps.setString(2, digest(i).toString());
                    ps.setString(3, OCI_MANIFEST);
                    ps.setLong(4, 100);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });

        assertThat(index.manifest(big, digest(5000))).isPresent();
        assertThat(index.repository(big).orElseThrow().manifestCount()).isEqualTo(5000);
        assertThat(index.cachedBytes()).isEqualTo(10_000 * 100L);
        assertThat(index.unreferencedBlobs(List.of(digest(9999), digest(20_000)))).containsExactly(digest(20_000));
    }

    @Test
    void aSecondOpeningOfTheFolderSeesWritesAtOnce() {
        // Nothing is cached in memory: a CLI command and a running engine on one data folder share everything.
        try (Database second = Database.open(new DataFolder(root))) {
            MetadataStore other = new JdbcMetadataStore(second);
            putManifest(NGINX, digest(1), 500);
            assertThat(other.manifest(NGINX, digest(1))).isPresent();
        }
    }
}
