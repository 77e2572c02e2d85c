package dev.cachalot.registry;

import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * Ends an answer that has no body (its status and headers are set) by writing its last, empty chunk, and only then
 * completing the request's callback.
 *
 * <p>Why not just {@code callback.succeeded()}: upload answers complete on whichever Jetty thread delivered the last
 * body chunk, possibly while the thread that ran the handler is still returning from it. With an uncommitted
 * response, {@code succeeded()} makes Jetty 12.1 send the headers itself and mark the send complete before its own
 * last-write callback runs; the returning handler thread can then see "callback done, send done", complete the
 * stream and recycle the channel, after which the last-write callback finds the recycled state (with {@code -ea}:
 * {@code AssertionError} in {@code HttpChannelState$LastWriteCallback.completeLastWrite}, answered as a 500; once in
 * about 1,400 pushed blobs here). Jetty's fix for that race (jetty/jetty.project#14745, in 12.1.14) covers only a
 * committed response. Writing the last chunk first means the callback completes on a response whose send is already
 * finished, and Jetty decides under one lock which of the two threads completes the stream.
 */
final class EmptyAnswer {

    private EmptyAnswer() {}

    static void send(Response response, Callback callback) {
        response.write(true, BufferUtil.EMPTY_BUFFER, callback);
    }
}
