package dev.cachalot.storage;

import dev.cachalot.oci.Digest;
import dev.cachalot.oci.RepositoryName;
import java.time.Instant;

/**
 * {@code pulls} pulls of manifest {@code digest} in {@code repository} (by tag when {@code tagOrNull} is set), the
 * latest at {@code lastAt}.
 */
public record PullCount(RepositoryName repository, String tagOrNull, Digest digest, int pulls, Instant lastAt) {
}
