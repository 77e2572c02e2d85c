package dev.cachalot.upstream;

import java.time.Instant;
import okhttp3.Response;

/** Maps an upstream's final error status to an {@link UpstreamException} (after retries and auth are done). */
final class StatusMapping {

    private StatusMapping() {
    }

    static UpstreamException toException(String upstream, String what, Response response) {
        int code = response.code();
        Long retryAfter = RetryAfter.parse(response.header("Retry-After"), Instant.now())
                .map(RetryAfter::seconds).orElse(null);
        UpstreamException.Kind kind;
        if (code == 404) {
            kind = UpstreamException.Kind.NOT_FOUND;
        } else if (code == 401) {
            kind = UpstreamException.Kind.UNAUTHORIZED;
        } else if (code == 403) {
            kind = UpstreamException.Kind.DENIED;
        } else if (code == 429) {
            kind = UpstreamException.Kind.RATE_LIMITED;
        } else if (code >= 500) {
            kind = UpstreamException.Kind.UNAVAILABLE;
        } else {
            kind = UpstreamException.Kind.PROTOCOL; // unfollowed 3xx, other 4xx: not what a registry should say
        }
        String message = upstream + ": " + what + " answered HTTP " + code
                + (retryAfter != null ? " (retry after " + retryAfter + " s)" : "");
        return new UpstreamException(kind, code, message, retryAfter, null);
    }
}
