package dev.cachalot.upstream;

import java.io.IOException;

/**
 * A decided failure raised inside the OkHttp chain (interceptors and authenticators may only throw
 * {@link IOException}). It is final: the retry interceptor never retries it, and the client turns it into an
 * {@link UpstreamException} of the same kind. Messages name the upstream, never a secret.
 */
final class UpstreamFailure extends IOException {

    private final UpstreamException.Kind kind;
    private final int status;

    UpstreamFailure(UpstreamException.Kind kind, int status, String message) {
        super(message);
        this.kind = kind;
        this.status = status;
    }

    UpstreamException toUpstreamException() {
        return new UpstreamException(kind, status, getMessage(), null, this);
    }

    UpstreamException.Kind kind() {
        return kind;
    }
}
