package dev.cachalot.storage;

import dev.cachalot.oci.RepositoryName;
import java.time.Instant;

/**
 * A repository with its counts. {@code sizeBytes}: its distinct blobs and manifests, a digest counted once.
 * {@code ruleName} and {@code upstreamRepository} are null for local repositories.
 */
public record RepositorySummary(RepositoryName name, RepositoryKind kind, String ruleName, String upstreamRepository,
                                int tagCount, int manifestCount, long sizeBytes, Instant createdAt, Instant lastPulledAt,
                                long pullCount) {
}
