package dev.cachalot.stats;

import java.time.Instant;
import java.util.List;

/**
 * One answered request of a pull (a manifest or blob GET, or a manifest HEAD), or one whole image pull made of
 * them ({@link Kind#IMAGE}, see {@link ImagePulls}).
 *
 * @param reference      tag or digest as requested
 * @param digest         the digest served, or null when nothing was served
 * @param bytes          bytes sent to the client
 * @param upstreamBytes  bytes fetched from the upstream for this request (0 on a hit)
 * @param client         the client's address
 * @param error          why a {@link Outcome#FAILED} pull failed, in words (null otherwise)
 * @param parts          the manifests an index served here lists (its platform manifests), so that their GETs by
 *                       digest count as part of the same image pull; empty otherwise
 */
public record PullEvent(Instant at, String repository, String reference, String digest, Kind kind, Outcome outcome,
                        long bytes, long upstreamBytes, long durationMicros, String client, String error,
                        List<String> parts) {

    public PullEvent {
        parts = parts == null ? List.of() : List.copyOf(parts);
    }

    /** An event that lists no parts. */
    public PullEvent(Instant at, String repository, String reference, String digest, Kind kind, Outcome outcome,
                     long bytes, long upstreamBytes, long durationMicros, String client, String error) {
        this(at, repository, reference, digest, kind, outcome, bytes, upstreamBytes, durationMicros, client, error, List.of());
    }

    /** An event without an error (every outcome but {@link Outcome#FAILED}). */
    public PullEvent(Instant at, String repository, String reference, String digest, Kind kind, Outcome outcome,
                     long bytes, long upstreamBytes, long durationMicros, String client) {
        this(at, repository, reference, digest, kind, outcome, bytes, upstreamBytes, durationMicros, client, null);
    }

    public enum Kind {
        /** A manifest GET. */
        MANIFEST,
        /** A blob GET. */
        BLOB,
        /** A manifest HEAD: resolves a tag (containerd does so before its GETs by digest); not stored. */
        HEAD,
        /** One image pull: the requests above that one client made for one tag or digest, counted once. */
        IMAGE
    }

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
