package dev.cachalot.stats;

import java.time.Instant;

/**
 * Pull statistics of one repository.
 *
 * @param failed manifest pulls that failed (counted in {@code pulls} too)
 */
public record RepositoryStats(String repository, long pulls, long hits, long misses, long stale, long bytesServed,
                              long upstreamBytes, Instant lastPull, long failed) {

    public RepositoryStats(String repository, long pulls, long hits, long misses, long stale, long bytesServed,
                           long upstreamBytes, Instant lastPull) {
        this(repository, pulls, hits, misses, stale, bytesServed, upstreamBytes, lastPull, 0);
    }

    /** Pulls that were answered with an image (cache, upstream, stale or local): what "most pulled" ranks by. */
    public long served() {
        return pulls - failed;
    }
}
