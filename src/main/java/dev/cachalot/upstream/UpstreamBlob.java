package dev.cachalot.upstream;

import java.nio.channels.ReadableByteChannel;

/** An open blob download from an upstream. */
public interface UpstreamBlob extends AutoCloseable {

    /** Content length from the upstream, or -1 if it did not say. */
    long contentLength();

    /** The body; reads fail with an {@link java.io.IOException} when the connection breaks or times out. */
    ReadableByteChannel body();

    @Override
    void close();
}
