package dev.cachalot.stats;

import java.time.Instant;

/**
 * One answered pull: a manifest GET or a blob GET.
 *
 * @param reference      tag or digest as requested
 * @param digest         the digest served, or null when nothing was served
 * @param bytes          bytes sent to the client
 * @param upstreamBytes  bytes fetched from the upstream for this request (0 on a hit)
 * @param client         the client's address
 * @param error          why a {@link Outcome#FAILED} pull failed, in words (null otherwise)
 */
public record PullEvent(Instant at, String repository, String reference, String digest, Kind kind, Outcome outcome,
                        long bytes, long upstreamBytes, long durationMicros, String client, String error) {

    /** An event without an error (every outcome but {@link Outcome#FAILED}). */
    public PullEvent(Instant at, String repository, String reference, String digest, Kind kind, Outcome outcome,
                     long bytes, long upstreamBytes, long durationMicros, String client) {
        this(at, repository, reference, digest, kind, outcome, bytes, upstreamBytes, durationMicros, client, null);
    }

    public enum Kind { MANIFEST, BLOB }

    public enum Outcome {
        /** Served from cache. */
        HIT,
        /** Fetched from the upstream. */
        MISS,
        /** Served from cache because the upstream failed. */
        STALE,
        /** A plain local repository. */
        LOCAL,
        /** The pull failed (upstream error with nothing cached, digest mismatch, client gone). */
        FAILED
    }
}
