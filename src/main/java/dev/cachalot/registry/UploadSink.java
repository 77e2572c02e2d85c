package dev.cachalot.registry;

import java.nio.ByteBuffer;

/**
 * Where the body of an upload request goes while it arrives: the backend's side of a {@code PATCH}, or of the
 * {@code PUT} or {@code POST} that completes an upload. The HTTP layer holds no thread while the client is silent, so
 * it hands the body over piece by piece as the network delivers it: {@link #write} for each piece, in order and one
 * call at a time, though not always on the same thread; then exactly one of {@link #complete} (the body arrived whole)
 * or {@link #abort} (it broke off, came too slowly, or a write refused it).
 *
 * <p>From the moment the backend opens a sink until {@code complete} or {@code abort} returns, the sink holds its
 * upload session: another request for the same session is refused meanwhile. A session held this way is not idle, so
 * it does not expire under a slow client; the HTTP layer's minimum body pace bounds how long it is held.
 *
 * @param <T> what the request answers once the body is complete
 */
public interface UploadSink<T> {

    /**
     * Takes the next piece of the body, all of {@code bytes}' remaining content. Throws a
     * {@link dev.cachalot.oci.DistributionException} to refuse the body (too large, no room on disk); the caller then
     * calls {@link #abort} and answers the refusal.
     */
    void write(ByteBuffer bytes);

    /**
     * The body is complete: checks it (its declared length, the digest of a finished upload), releases the session
     * and answers. When it throws, nothing of this request's body is kept and the session is released.
     */
    T complete();

    /** Drops what this request wrote, leaving the upload as it was before, and releases the session. Idempotent. */
    void abort();
}
