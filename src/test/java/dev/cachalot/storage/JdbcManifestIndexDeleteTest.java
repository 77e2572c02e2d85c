package dev.cachalot.storage;

import static dev.cachalot.storage.JdbcManifestIndexTest.digest;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.oci.Digest;
import dev.cachalot.oci.RepositoryName;
import dev.cachalot.storage.ManifestIndex.RepositoryKind;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The deletes pushing clients use: a manifest with its tags, and a blob link. */
class JdbcManifestIndexDeleteTest {

    private static final RepositoryName APP = RepositoryName.of("team/app");
    private static final RepositoryName OTHER = RepositoryName.of("team/other");
    private static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");

    @TempDir
    Path root;

    private Database db;
    private JdbcManifestIndex index;

    @BeforeEach
    void setUp() {
        db = Database.open(new DataFolder(root));
        index = new JdbcManifestIndex(db);
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    @Test
    void deletingAManifestTakesItsTagsAlongAndLeavesOtherTagsAndRepositories() {
        Digest kept = digest(1);
        Digest deleted = digest(2);
        for (RepositoryName repo : new RepositoryName[] {APP, OTHER}) {
            index.putManifest(repo, RepositoryKind.LOCAL, null, kept, JdbcManifestIndexTest.OCI_MANIFEST, 10, null, null);
            index.putManifest(repo, RepositoryKind.LOCAL, null, deleted, JdbcManifestIndexTest.OCI_MANIFEST, 20, null, null);
            index.putTag(repo, "1", deleted, T0);
            index.putTag(repo, "latest", deleted, T0);
            index.putTag(repo, "stable", kept, T0);
        }

        assertThat(index.deleteManifest(APP, deleted)).isTrue();
        assertThat(index.deleteManifest(APP, deleted)).isFalse();

        assertThat(index.manifest(APP, deleted)).isEmpty();
        assertThat(index.tags(APP)).extracting(ManifestIndex.TagRecord::tag).containsExactly("stable");
        assertThat(index.manifest(OTHER, deleted)).isPresent();
        assertThat(index.tags(OTHER)).hasSize(3);
        assertThat(index.repositoryExists(APP)).isTrue();
    }

    @Test
    void unlinkingABlobForgetsItInOneRepositoryOnly() {
        Digest blob = digest(3);
        index.linkBlob(APP, blob, 100);
        index.linkBlob(OTHER, blob, 100);

        assertThat(index.unlinkBlob(APP, blob)).isTrue();
        assertThat(index.unlinkBlob(APP, blob)).isFalse();

        assertThat(index.hasBlob(APP, blob)).isFalse();
        assertThat(index.hasBlob(OTHER, blob)).isTrue();
        assertThat(index.unreferencedBlobs(java.util.List.of(blob))).isEmpty();
        index.unlinkBlob(OTHER, blob);
        assertThat(index.unreferencedBlobs(java.util.List.of(blob))).containsExactly(blob);
    }
}
