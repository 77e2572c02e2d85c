package dev.cachalot.stats;

import java.time.Instant;

/** Pulls in one time bucket, for charts. */
public record TimeBucket(Instant start, long hits, long misses, long stale) {
}
