package dev.cachalot.stats;

import java.time.Instant;

/** Pull statistics of one repository. */
public record RepositoryStats(String repository, long pulls, long hits, long misses, long stale, long bytesServed,
                              long upstreamBytes, Instant lastPull) {
}
