package dev.cachalot.cache;

import dev.cachalot.registry.Digest;
import dev.cachalot.registry.ErrorCode;
import dev.cachalot.registry.RegistryException;

/** Turns upstream failures into the registry errors a client sees (no secrets, the upstream named). */
final class UpstreamErrors {
    private UpstreamErrors() {
    }

    static RegistryException forManifest(UpstreamException e, String repository, String reference) {
        return translate(e, ErrorCode.MANIFEST_UNKNOWN, "manifest " + repository + ":" + reference);
    }

    static RegistryException forBlob(UpstreamException e, Digest digest) {
        return translate(e, ErrorCode.BLOB_UNKNOWN, "blob " + digest);
    }

    static RegistryException forRepository(UpstreamException e, String repository) {
        return translate(e, ErrorCode.NAME_UNKNOWN, "repository " + repository);
    }

    private static RegistryException translate(UpstreamException e, ErrorCode notFound, String what) {
        return switch (e.kind()) {
            case NOT_FOUND -> new RegistryException(notFound, notFound.status(), what + " is not known upstream", null, e);
            case UNAUTHORIZED, DENIED -> new RegistryException(ErrorCode.DENIED, 403,
                    "the upstream refused access to " + what + ": " + e.getMessage(), null, e);
            case RATE_LIMITED -> new RegistryException(ErrorCode.TOOMANYREQUESTS, 429,
                    "the upstream is rate-limiting pulls of " + what + ": " + e.getMessage(), e.retryAfterSeconds(), e);
            case UNAVAILABLE -> new RegistryException(ErrorCode.UPSTREAM_UNAVAILABLE, 503,
                    "the upstream is unavailable and " + what + " is not cached: " + e.getMessage(), e.retryAfterSeconds(), e);
            case PROTOCOL -> new RegistryException(ErrorCode.UPSTREAM_UNAVAILABLE, 502,
                    "the upstream answered badly for " + what + ": " + e.getMessage(), null, e);
        };
    }
}
