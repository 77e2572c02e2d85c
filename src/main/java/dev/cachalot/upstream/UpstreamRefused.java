package dev.cachalot.upstream;

/**
 * A request the client did not send: the upstream's circuit breaker is open, or too many requests already wait on
 * it. Callers treat it like the failure it stands for (its {@link #kind()}), but need not log it each time: the
 * failure that opened the breaker was reported when it happened.
 */
public final class UpstreamRefused extends UpstreamException {

    UpstreamRefused(Kind kind, int status, String message, Long retryAfterSeconds) {
        super(kind, status, message, retryAfterSeconds, null);
    }
}
