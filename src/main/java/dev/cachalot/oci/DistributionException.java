package dev.cachalot.oci;

/**
 * A failure that the registry API reports to the client as a spec error body.
 * Messages must be safe to show to any client: no secrets, no local paths.
 */
public class DistributionException extends RuntimeException {
    private final ErrorCode code;
    private final int status;
    private final Long retryAfterSeconds;

    public DistributionException(ErrorCode code, String message) {
        this(code, code.status(), message, null, null);
    }

    public DistributionException(ErrorCode code, int status, String message, Long retryAfterSeconds, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public ErrorCode code() {
        return code;
    }

    /** HTTP status to answer with (usually {@code code().status()}). */
    public int status() {
        return status;
    }

    /** Seconds for a {@code Retry-After} header, or null. */
    public Long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
