package dev.cachalot.upstream;

/** An upstream answered with an error, or could not be reached. Messages name the upstream, never a secret. */
public class UpstreamException extends RuntimeException {

    public enum Kind {
        /** 404: the repository, manifest or blob does not exist upstream. */
        NOT_FOUND,
        /** 401 after authenticating (or no credentials where the upstream needs them). */
        UNAUTHORIZED,
        /** 403. */
        DENIED,
        /** 429 after retries. */
        RATE_LIMITED,
        /** 5xx after retries, timeouts, connection refused, DNS failure. */
        UNAVAILABLE,
        /** The upstream answered something that breaks the protocol (bad digest, bad JSON, bad auth challenge). */
        PROTOCOL,
        /** The credential set's secrets cannot be read here (a locked vault): not the upstream's doing. */
        CREDENTIALS_UNREADABLE
    }

    private final Kind kind;
    private final int status;
    private final Long retryAfterSeconds;

    public UpstreamException(Kind kind, int status, String message, Long retryAfterSeconds, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public UpstreamException(Kind kind, String message) {
        this(kind, 0, message, null, null);
    }

    public Kind kind() {
        return kind;
    }

    /** HTTP status from the upstream, or 0 when there was no answer. */
    public int status() {
        return status;
    }

    public Long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
