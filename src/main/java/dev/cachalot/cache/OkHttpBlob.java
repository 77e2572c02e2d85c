package dev.cachalot.cache;

import java.nio.channels.ReadableByteChannel;
import okhttp3.Response;

/** A blob download: OkHttp's body source is itself a {@link ReadableByteChannel}; closing releases the connection. */
final class OkHttpBlob implements UpstreamBlob {

    private final Response response;

    OkHttpBlob(Response response) {
        this.response = response;
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
