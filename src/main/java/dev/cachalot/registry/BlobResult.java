package dev.cachalot.registry;

import dev.cachalot.oci.Digest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A blob the backend is ready to serve. Either it is complete and verified on disk ({@link #file()} is not
 * null), or it is still arriving from the upstream and must be streamed with {@link #openStream()}.
 * The HTTP layer calls {@link #served(long, Throwable)} exactly once when the response is over.
 */
public interface BlobResult {

    Digest digest();

    /** Size in bytes, or -1 when the upstream did not say (then the response is chunked). */
    long size();

    ContentOrigin origin();

    /** The complete, verified blob file, or null while the blob is still being fetched. */
    Path file();

    /**
     * Streams a blob that is still being fetched, from its first byte. Bytes come as the upstream delivers
     * them; the last bytes are released only after the digest was verified, so a mismatch fails the stream
     * (an {@link IOException}) before the client has a body that looks complete.
     */
    BlobStream openStream() throws IOException;

    /** Waits until the blob is complete and verified and returns its file (used for {@code Range} on a cold blob). */
    Path awaitFile() throws IOException;

    /**
     * Where the client should fetch the blob instead of from this server (a presigned URL of the blob store), or null
     * to serve it here, which is the default. Answered with {@code 307 Temporary Redirect}, as distribution's redirect
     * middleware does; the address is a credential for a while and is never logged.
     */
    default java.net.URI redirect() {
        return null;
    }

    /** Reports how the response ended, for pull statistics. {@code failure} is null on success. */
    void served(long bytesSent, Throwable failure);

    /** A blocking reader of a blob being fetched. */
    interface BlobStream extends AutoCloseable {
        /**
         * Reads available bytes into {@code dst}, blocking until at least one byte is available.
         *
         * @return bytes read, or -1 at the verified end of the blob
         * @throws IOException when the upstream failed or the digest did not match
         */
        int read(ByteBuffer dst) throws IOException;

        @Override
        void close();
    }

    /** A stream backed by a file, which can hand out its available bytes as mapped windows instead of copies. */
    interface MappableBlobStream extends BlobStream {
        /**
         * Maps the next available bytes, at most {@code max}, blocking until at least one byte is available. The
         * caller unmaps the window once written.
         *
         * @return the window, or null at the verified end of the blob
         * @throws IOException when the upstream failed or the digest did not match
         */
        java.nio.MappedByteBuffer map(int max) throws IOException;

        /**
         * Sends the next available bytes, at most {@code max}, from the file straight to {@code target} (the kernel's
         * sendfile: no copy in user space), blocking until at least one byte is available. A non-blocking target may
         * take fewer bytes, or none; the rest is sent by the next call.
         *
         * @return bytes sent (0 when the target took none), or -1 at the verified end of the blob
         * @throws IOException when the upstream failed, the digest did not match, or the target failed
         */
        long transferTo(java.nio.channels.WritableByteChannel target, long max) throws IOException;
    }
}
