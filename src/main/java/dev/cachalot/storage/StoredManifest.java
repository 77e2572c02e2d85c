package dev.cachalot.storage;

import dev.cachalot.oci.Digest;
import dev.cachalot.oci.RepositoryName;
import java.time.Instant;

/**
 * A manifest a repository holds. {@code artifactType} and {@code subject} are null unless the manifest declares them;
 * {@code lastPulledAt} is null until its first pull.
 */
public record StoredManifest(RepositoryName repository, Digest digest, String mediaType, long size,
                             String artifactType, Digest subject, Instant createdAt, Instant lastPulledAt, long pullCount) {
}
