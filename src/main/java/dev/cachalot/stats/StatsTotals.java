package dev.cachalot.stats;

/**
 * Aggregates over pull events. A pull is an image pull (see {@code ImagePulls}). {@code bytesFromCache}: blob and manifest bytes served
 * without the upstream; {@code upstreamBytesSaved} the same, i.e. what the upstream would have sent otherwise.
 */
public record StatsTotals(long pulls, long hits, long misses, long stale, long bytesServed, long bytesFromCache,
                          long upstreamBytes, long dockerHubPullsAvoided) {
    /** Hits and stale serves among answered pulls; 0 when there were none (show {@link #hasHitRatio()} first). */
    public double hitRatio() {
        long answered = hits + misses + stale;
        return answered == 0 ? 0.0 : (double) (hits + stale) / answered;
    }

    /** False while no pull was answered: a cache that never served anything has no hit ratio (not 0 %, not 100 %). */
    public boolean hasHitRatio() {
        return hits + misses + stale > 0;
    }
}
