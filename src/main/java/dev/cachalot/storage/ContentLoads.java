package dev.cachalot.storage;

import dev.cachalot.oci.Digest;
import dev.cachalot.oci.RepositoryName;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Content that arrives as a whole (a bundle import): the manifests, blob links and tags of many repositories recorded
 * in one transaction, so that nobody ever sees half of it, and a failure leaves the metadata as it was. The blobs and
 * manifest bytes must be in the {@link BlobStore} before.
 */
public interface ContentLoads {

    /**
     * Records every repository of {@code repositories} with its manifests, blob links and tags, all or nothing. Each
     * part behaves as its one-at-a-time counterpart in {@link RepositoryContents}: repositories are created or their
     * kind and origin brought up to date, manifests and blob links already recorded are kept as they are (with their
     * counters), tags are created or moved (keeping their pull counters) with fetched and validated times {@code at}.
     */
    void load(List<RepositoryLoad> repositories, Instant at);

    /** One repository's share of a load. {@code origin} null for a local repository. */
    record RepositoryLoad(RepositoryName name, RepositoryKind kind, RepositoryOrigin origin, List<ManifestLoad> manifests,
                          Map<Digest, Long> blobs, Map<String, Digest> tags) {
        public RepositoryLoad {
            manifests = List.copyOf(manifests);
            blobs = Map.copyOf(blobs);
            tags = Map.copyOf(tags);
        }
    }

    /** A manifest as {@link RepositoryContents#putManifest} takes it; {@code artifactType} and {@code subject} may be null. */
    record ManifestLoad(Digest digest, String mediaType, long size, String artifactType, Digest subject) {
    }
}
