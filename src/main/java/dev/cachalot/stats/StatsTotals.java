package dev.cachalot.stats;

/**
 * Aggregates over pull events. A pull is a manifest GET. {@code bytesFromCache}: blob and manifest bytes served
 * without the upstream; {@code upstreamBytesSaved} the same, i.e. what the upstream would have sent otherwise.
 */
public record StatsTotals(long pulls, long hits, long misses, long stale, long bytesServed, long bytesFromCache,
                          long upstreamBytes, long dockerHubPullsAvoided) {
    public double hitRatio() {
        long answered = hits + misses + stale;
        return answered == 0 ? 0.0 : (double) (hits + stale) / answered;
    }
}
