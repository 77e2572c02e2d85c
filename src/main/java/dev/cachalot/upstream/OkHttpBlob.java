package dev.cachalot.upstream;

import java.nio.channels.ReadableByteChannel;
import okhttp3.Protocol;
import okhttp3.Response;

/** A blob download: OkHttp's body source is itself a {@link ReadableByteChannel}; closing releases the connection. */
final class OkHttpBlob implements UpstreamBlob {

    private final Response response;

    OkHttpBlob(Response response) {
        this.response = response;
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
        return response.body().source();
    }

    @Override
    public void close() {
        response.close();
    }
}
