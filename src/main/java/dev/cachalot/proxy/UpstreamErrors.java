package dev.cachalot.proxy;

import dev.cachalot.oci.Digest;
import dev.cachalot.oci.DistributionException;
import dev.cachalot.oci.ErrorCode;
import dev.cachalot.upstream.UpstreamException;
/** Turns upstream failures into the registry errors a client sees (no secrets, the upstream named). */
final class UpstreamErrors {
    private UpstreamErrors() {
    }

    static DistributionException forManifest(UpstreamException e, String repository, String reference) {
        return translate(e, ErrorCode.MANIFEST_UNKNOWN, "manifest " + repository + ":" + reference);
    }

    static DistributionException forBlob(UpstreamException e, Digest digest) {
        return translate(e, ErrorCode.BLOB_UNKNOWN, "blob " + digest);
    }

    static DistributionException forRepository(UpstreamException e, String repository) {
        return translate(e, ErrorCode.NAME_UNKNOWN, "repository " + repository);
    }

    private static DistributionException translate(UpstreamException e, ErrorCode notFound, String what) {
        return switch (e.kind()) {
            case NOT_FOUND -> new DistributionException(notFound, notFound.status(), what + " is not known upstream", null, e);
            case UNAUTHORIZED, DENIED -> new DistributionException(ErrorCode.DENIED, 403,
                    "the upstream refused access to " + what + ": " + e.getMessage(), null, e);
            case RATE_LIMITED -> new DistributionException(ErrorCode.TOOMANYREQUESTS, 429,
                    "the upstream is rate-limiting pulls of " + what + ": " + e.getMessage(), e.retryAfterSeconds(), e);
            case UNAVAILABLE -> new DistributionException(ErrorCode.UPSTREAM_UNAVAILABLE, 503,
                    "the upstream is unavailable and " + what + " is not cached: " + e.getMessage(), e.retryAfterSeconds(), e);
            case PROTOCOL -> new DistributionException(ErrorCode.UPSTREAM_UNAVAILABLE, 502,
                    "the upstream answered badly for " + what + ": " + e.getMessage(), null, e);
            // The cache's own trouble, which its operator fixes: not a refusal by the upstream, nor the client's.
            case CREDENTIALS_UNREADABLE -> new DistributionException(ErrorCode.UPSTREAM_UNAVAILABLE, 503,
                    what + " is not cached and cannot be fetched: " + e.getMessage(), null, e);
        };
    }
}
