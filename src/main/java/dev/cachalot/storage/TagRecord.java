package dev.cachalot.storage;

import dev.cachalot.oci.Digest;
import dev.cachalot.oci.RepositoryName;
import java.time.Instant;

/**
 * A tag and the digest it points at. {@code fetchedAt}: when it was last pointed; {@code validatedAt}: when the
 * upstream last confirmed it; {@code lastPulledAt} is null until its first pull.
 */
public record TagRecord(RepositoryName repository, String tag, Digest digest, Instant fetchedAt, Instant validatedAt,
                        Instant lastPulledAt, long pullCount) {
}
