package dev.cachalot.registry;

import java.util.function.Consumer;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * Carries an upload request's body into the backend's {@link UploadSink} without holding a thread while it arrives:
 * each chunk is written as Jetty offers it, and between chunks the request only waits for Jetty's demand callback.
 * A pool thread blocked in {@code InputStream.read} for each slow upload was what let a few hundred clients keeping
 * the minimum pace still occupy the pool; now a waiting upload costs a connection and a buffer, not a thread.
 *
 * <p>Each outcome is reported once, on the calling thread or on a Jetty thread: the sink's answer, a refusal (the
 * sink refused a write or the complete body; the sink has been aborted and the rest of the body is left unread for
 * the caller to drain or not), or a broken body (it failed or came too slowly; the sink has been aborted and the
 * request failed, so no answer can be sent).
 */
final class UploadBody<T> implements Runnable {

    private final Request request;
    private final UploadSink<T> sink;
    private final BodyPace pace;
    private final Consumer<T> onAnswer;
    private final Consumer<Throwable> onRefused;
    private final Consumer<Throwable> onBroken;

    private UploadBody(Request request, UploadSink<T> sink, BodyPace pace, Consumer<T> onAnswer,
                       Consumer<Throwable> onRefused, Consumer<Throwable> onBroken) {
        this.request = request;
        this.sink = sink;
        this.pace = pace;
        this.onAnswer = onAnswer;
        this.onRefused = onRefused;
        this.onBroken = onBroken;
    }

    /** Starts carrying {@code request}'s body into {@code sink}; returns as soon as no more of it is available. */
    static <T> void read(Request request, UploadSink<T> sink, BodyPace pace, Consumer<T> onAnswer,
                         Consumer<Throwable> onRefused, Consumer<Throwable> onBroken) {
        new UploadBody<>(request, sink, pace, onAnswer, onRefused, onBroken).run();
    }

    @Override
    public void run() {
        while (true) {
            Content.Chunk chunk;
            try {
                chunk = request.read();
            } catch (Throwable t) {
                broken(t);
                return;
            }
            if (chunk == null) {
                request.demand(this);
                return;
            }
            if (Content.Chunk.isFailure(chunk)) {
                broken(chunk.getFailure());
                return;
            }
            boolean last = chunk.isLast();
            try {
                if (chunk.hasRemaining()) {
                    sink.write(chunk.getByteBuffer());
                }
            } catch (Throwable refusal) {
                sink.abort();
                onRefused.accept(refusal);
                return;
            } finally {
                chunk.release();
            }
            if (last) {
                pace.finished();
                T answer;
                try {
                    answer = sink.complete();
                } catch (Throwable refusal) {
                    onRefused.accept(refusal);
                    return;
                }
                onAnswer.accept(answer);
                return;
            }
        }
    }

    private void broken(Throwable failure) {
        pace.finished();
        sink.abort();
        onBroken.accept(failure);
    }
}
