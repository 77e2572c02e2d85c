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
    private JdbcMetadataStore store;

    @Override
    protected MetadataStore newStore() {
        db = Database.open(new DataFolder(root));
        store = new JdbcMetadataStore(db);
        return store;
    }

    @Override
    protected void closeStore() {
        store.close();
        db.close();
    }

    @Test
    void aRevalidationStampIsReadAtOnceAndWrittenByTheCloseAtTheLatest() {
        putManifest(NGINX, digest(1), 500);
        index.putTag(NGINX, "1.27", digest(1), T0);

        index.markValidated(NGINX, "1.27", T0.plusSeconds(60));
        index.markValidated(NGINX, "1.27", T0.plusSeconds(30)); // out of order: the later stamp stays

        assertThat(index.tag(NGINX, "1.27").orElseThrow().validatedAt()).isEqualTo(T0.plusSeconds(60));
        assertThat(index.tags(NGINX)).singleElement().satisfies(t -> assertThat(t.validatedAt()).isEqualTo(T0.plusSeconds(60)));
        reopen();
        assertThat(index.tag(NGINX, "1.27").orElseThrow().validatedAt()).isEqualTo(T0.plusSeconds(60));
    }

    @Test
    void aWaitingStampNeitherBringsBackADeletedTagNorMovesARepointedOneBack() {
        putManifest(NGINX, digest(1), 500);
        putManifest(NGINX, digest(2), 500);
        index.putTag(NGINX, "gone", digest(1), T0);
        index.putTag(NGINX, "moved", digest(1), T0);
        putManifest(OTHER, digest(3), 500);
        index.putTag(OTHER, "evicted", digest(3), T0);

        index.markValidated(NGINX, "gone", T0.plusSeconds(10));
        index.markValidated(NGINX, "moved", T0.plusSeconds(10));
        index.markValidated(OTHER, "evicted", T0.plusSeconds(10));
        index.deleteTag(NGINX, "gone");
        index.putTag(NGINX, "moved", digest(2), T0.plusSeconds(5));
        index.deleteRepository(OTHER);
        // Another process (a CLI on the same folder) deletes a tag behind this store's back.
        index.markValidated(NGINX, "absent", T0.plusSeconds(10));
        reopen();

        assertThat(index.tags(NGINX)).singleElement().satisfies(t -> {
            assertThat(t.tag()).isEqualTo("moved");
            assertThat(t.digest()).isEqualTo(digest(2));
            assertThat(t.validatedAt()).isEqualTo(T0.plusSeconds(5));
        });
        assertThat(index.tag(NGINX, "absent")).isEmpty();
        assertThat(index.repository(OTHER)).isEmpty();
        assertThat(index.tags(OTHER)).isEmpty();
    }

    /** Closes the store and the database, as the engine does, and opens them again. */
    private void reopen() {
        closeStore();
        index = newStore();
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
