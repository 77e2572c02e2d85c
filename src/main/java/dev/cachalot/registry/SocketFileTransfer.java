package dev.cachalot.registry;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.server.ProxyConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.BufferUtil;

/**
 * Sends a file region with the kernel's sendfile ({@link FileChannel#transferTo}) straight to the connection's
 * socket: no copy through user space at all, and no mapping whose pages would count in the process's RSS.
 *
 * <p>Jetty 12.1 has no API for this (its own transfer-to support is still an open change upstream), so this
 * works beside Jetty, under rules that keep Jetty's view of the connection consistent:
 * <ul>
 *   <li>only plain HTTP/1.x on a {@link SocketChannelEndPoint}: there the bytes on the socket are exactly the
 *       body bytes (no TLS record, no HTTP/2 frame, no chunk header) and nothing else writes to the socket
 *       while the handler runs;</li>
 *   <li>Jetty writes and flushes the headers first (a blocking empty non-last write), so the body follows them
 *       on the wire, and Jetty's write side is idle while this class writes;</li>
 *   <li>the body is sent in full before the handler's callback completes the response. Jetty 12.1 checks the
 *       body length only for responses it commits at completion, never for one committed earlier, so the
 *       final empty write ends the response normally and the connection stays reusable (a test guards this,
 *       since a later Jetty could start counting);</li>
 *   <li>each transfer marks the endpoint not idle, so Jetty's idle timeout still means "no progress".</li>
 * </ul>
 * The channel is non-blocking (it stays registered with Jetty's selector). When the socket buffer is full the
 * transfer returns 0; the thread then waits for writability on a selector of its own (a channel may be
 * registered with several selectors), opened only if the socket ever fills and closed at the end.
 */
final class SocketFileTransfer {

    /** Bodies sent completely this way: lets tests (and a debugger) tell this path from the mapped fallback. */
    static final LongAdder BODIES_SENT = new LongAdder();

    /** How long a select waits before checking whether the channel was closed under it. */
    private static final long SELECT_SLICE_MS = 1_000;

    private SocketFileTransfer() {
    }

    /** The endpoint to send a body to directly, or null when this request's connection does not allow it. */
    static SocketChannelEndPoint endPointFor(Request request) {
        HttpVersion version = request.getConnectionMetaData().getHttpVersion();
        if (version != HttpVersion.HTTP_1_1 && version != HttpVersion.HTTP_1_0) {
            return null;
        }
        Connection connection = request.getConnectionMetaData().getConnection();
        EndPoint endPoint = connection == null ? null : connection.getEndPoint();
        // Behind a balancer the socket's endpoint is wrapped only to carry the announced addresses: the bytes still go
        // straight to the socket.
        if (endPoint instanceof ProxyConnectionFactory.ProxyEndPoint announced) endPoint = announced.unwrap();
        // Exactly Jetty's plain socket endpoint: with TLS the connection's endpoint is a decrypting wrapper.
        if (endPoint == null || endPoint.getClass() != SocketChannelEndPoint.class || request.isSecure()) {
            return null;
        }
        return (SocketChannelEndPoint) endPoint;
    }

    /**
     * Commits the response headers, then sends {@code length} bytes of {@code file} from {@code offset}.
     * Throws on the first failure (client gone, stalled longer than the idle timeout); the caller aborts.
     */
    static long send(FileChannel file, long offset, long length, Response response, SocketChannelEndPoint endPoint,
                     BlobBodies.Progress progress) throws IOException {
        if (file.size() < offset + length) {
            // Checked before the headers, so a short file is still an error answer and not a truncated body.
            throw new IOException("blob file is shorter than its recorded size");
        }
        commitHeaders(response);
        long sent = transfer(endPoint, progress, (socket, already) -> {
            if (already >= length) return -1;
            return file.transferTo(offset + already, length - already, socket);
        });
        BODIES_SENT.increment();
        return sent;
    }

    /**
     * Commits the response headers, then sends a blob that is still being fetched as its bytes are released, straight
     * from the temp file being filled. The response must have a Content-Length (the bytes on the socket are exactly
     * the body's). Throws what the stream throws (a failed download, a digest mismatch); the caller aborts.
     */
    static long sendStream(BlobResult.MappableBlobStream stream, Response response, SocketChannelEndPoint endPoint,
                           BlobBodies.Progress progress) throws IOException {
        commitHeaders(response);
        long sent = transfer(endPoint, progress, (socket, already) -> stream.transferTo(socket, Long.MAX_VALUE));
        BODIES_SENT.increment();
        return sent;
    }

    /** One step of a transfer: bytes written to the socket (0 when it is full), or -1 when the body is complete. */
    @FunctionalInterface
    private interface Step {
        long next(SocketChannel socket, long sentSoFar) throws IOException;
    }

    private static long transfer(SocketChannelEndPoint endPoint, BlobBodies.Progress progress, Step step)
            throws IOException {
        SocketChannel socket = endPoint.getChannel();
        Selector selector = null;
        long sent = 0;
        try {
            while (true) {
                long n = step.next(socket, sent);
                if (n < 0) {
                    return sent;
                }
                if (n > 0) {
                    sent += n;
                    endPoint.notIdle();
                    progress.sent(sent);
                    continue;
                }
                if (selector == null) {
                    selector = Selector.open();
                    socket.register(selector, SelectionKey.OP_WRITE);
                }
                awaitWritable(selector, socket, endPoint.getIdleTimeout());
            }
        } finally {
            if (selector != null) {
                selector.close(); // deregisters only this selector's key; Jetty's registration is untouched
            }
        }
    }

    private static void commitHeaders(Response response) throws IOException {
        try (Blocker.Callback flushed = Blocker.callback()) {
            response.write(false, BufferUtil.EMPTY_BUFFER, flushed);
            flushed.block();
        }
    }

    private static void awaitWritable(Selector selector, SocketChannel socket, long idleTimeoutMs) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(idleTimeoutMs > 0 ? idleTimeoutMs : Long.MAX_VALUE / 4_000_000);
        while (true) {
            long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (leftMs <= 0) {
                throw new IOException("client read nothing for " + idleTimeoutMs + " ms");
            }
            int ready = selector.select(Math.min(leftMs, SELECT_SLICE_MS));
            // Cleared every time: a key left in the selected set would not be counted again, and select would
            // then sleep a full slice although the socket is writable.
            selector.selectedKeys().clear();
            if (ready > 0) {
                return;
            }
            if (Thread.interrupted()) {
                throw new InterruptedIOException("interrupted while waiting for the client to read");
            }
            if (!socket.isOpen()) {
                throw new ClosedChannelException();
            }
        }
    }
}
