package dev.cachalot.registry;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * Reads a small request body (a manifest) without holding a thread while it arrives: each chunk is taken as Jetty
 * offers it, and between chunks the request only waits for Jetty's demand callback. A thread blocked in
 * {@code InputStream.read} per slow client was what let a few hundred of them stop the registry.
 */
final class SmallBody implements Runnable {

    /** The body was larger than the limit; nothing more of it was read. */
    static final class TooLarge extends Exception {
        TooLarge() {
            super(null, null, false, false);
        }
    }

    private final Request request;
    private final int max;
    private final BodyPace pace;
    private final Consumer<byte[]> onBody;
    private final Consumer<Throwable> onFailure;
    private final ByteArrayOutputStream bytes;

    private SmallBody(Request request, int max, BodyPace pace, Consumer<byte[]> onBody, Consumer<Throwable> onFailure) {
        this.request = request;
        this.max = max;
        this.pace = pace;
        this.onBody = onBody;
        this.onFailure = onFailure;
        long declared = request.getLength();
        this.bytes = new ByteArrayOutputStream(declared > 0 && declared <= max ? (int) declared : 1024);
    }

    /**
     * Reads the body of {@code request}, at most {@code max} bytes, then calls {@code onBody} (or {@code onFailure}
     * with {@link TooLarge} or the read's failure) exactly once, on the calling thread or on a Jetty thread.
     */
    static void read(Request request, int max, BodyPace pace, Consumer<byte[]> onBody, Consumer<Throwable> onFailure) {
        new SmallBody(request, max, pace, onBody, onFailure).run();
    }

    @Override
    public void run() {
        while (true) {
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                request.demand(this);
                return;
            }
            if (Content.Chunk.isFailure(chunk)) {
                pace.finished();
                onFailure.accept(chunk.getFailure());
                return;
            }
            ByteBuffer data = chunk.getByteBuffer();
            boolean tooLarge = bytes.size() + data.remaining() > max;
            if (!tooLarge) {
                byte[] part = new byte[data.remaining()];
                data.get(part);
                bytes.writeBytes(part);
            }
            boolean last = chunk.isLast();
            chunk.release();
            if (tooLarge) {
                pace.finished();
                onFailure.accept(new TooLarge());
                return;
            }
            if (last) {
                pace.finished();
                onBody.accept(bytes.toByteArray());
                return;
            }
        }
    }
}
