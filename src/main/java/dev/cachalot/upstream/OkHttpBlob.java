package dev.cachalot.upstream;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import okhttp3.Protocol;
import okhttp3.Response;

/**
 * A blob download: OkHttp's body source read as a {@link ReadableByteChannel}, each read counted for the
 * {@link BlobWatchdog}; closing releases the connection.
 */
final class OkHttpBlob implements UpstreamBlob {

    private final Response response;
    private final BlobWatchdog.Watch watch;
    private final ReadableByteChannel body;

    OkHttpBlob(Response response, BlobWatchdog.Watch watch) {
        this.response = response;
        this.watch = watch;
        this.body = new PacedBody();
        if (response.protocol() == Protocol.HTTP_1_1 || response.protocol() == Protocol.HTTP_1_0) {
            // okio enforces the read timeout with a watchdog thread that every read of at most 8 KiB enters and
            // leaves (a lock and a wake-up each: 131,072 per GiB, measured at ~0.3 s of CPU per GiB). Over HTTP/1
            // OkHttp also sets the socket's SO_TIMEOUT to the same read timeout, so a stalled body still fails after
            // that long of silence (and the fill resumes) without okio's watchdog. HTTP/2 streams have no such
            // socket timeout and keep okio's.
            response.body().source().timeout().clearTimeout();
        }
    }

    @Override
    public long contentLength() {
        return response.body().contentLength();
    }

    @Override
    public ReadableByteChannel body() {
        return body;
    }

    @Override
    public void close() {
        watch.close();
        response.close();
    }

    /** The body source, counting what it reads and naming the watchdog's reason when it cut the download. */
    private final class PacedBody implements ReadableByteChannel {
        @Override
        public int read(ByteBuffer dst) throws IOException {
            int n;
            try {
                n = response.body().source().read(dst);
            } catch (IOException e) {
                String verdict = watch.verdict();
                if (verdict == null) throw e;
                InterruptedIOException slow = new InterruptedIOException(verdict);
                slow.initCause(e);
                throw slow;
            }
            watch.read(n);
            return n;
        }

        @Override
        public boolean isOpen() {
            return response.body().source().isOpen();
        }

        @Override
        public void close() {
            OkHttpBlob.this.close();
        }
    }
}
