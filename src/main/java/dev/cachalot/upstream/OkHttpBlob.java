package dev.cachalot.upstream;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ProtocolException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import okhttp3.Protocol;
import okhttp3.Response;
import okio.BufferedSource;

/**
 * A blob download: OkHttp's body source read as a {@link ReadableByteChannel}, each read counted for the
 * {@link BlobWatchdog}; closing releases the connection.
 *
 * <p>Over plain HTTP/1 with a known length, once okio has handed over everything it buffered from the socket, the
 * body is read straight from the socket's channel into the caller's buffer ({@link ChannelSocket} says why). The
 * connection is then closed at the end instead of going back to OkHttp's pool, since OkHttp did not see those bytes.
 */
final class OkHttpBlob implements UpstreamBlob {

    /** Bodies that switched to channel reads: lets tests tell this path from okio's. */
    static final LongAdder CHANNEL_BODIES = new LongAdder();

    private final Response response;
    private final BlobWatchdog.Watch watch;
    private final ReadableByteChannel body;
    /** The connection's socket when the body may switch to channel reads, else null. */
    private final ChannelSocket socket;
    /** Body bytes not yet read (when the length is known). */
    private long remaining;
    private boolean direct;
    /** Waits for the channel to be readable, once channel reads began (they are non-blocking). */
    private Selector selector;
    private static final long SELECT_SLICE_MS = 1_000;

    OkHttpBlob(Response response, BlobWatchdog.Watch watch) {
        this.response = response;
        this.watch = watch;
        this.body = new PacedBody();
        BlobSocket holder = response.request().tag(BlobSocket.class);
        long length = response.body().contentLength();
        boolean http1 = response.protocol() == Protocol.HTTP_1_1 || response.protocol() == Protocol.HTTP_1_0;
        this.socket = holder != null && holder.socket instanceof ChannelSocket channelSocket && http1 && length >= 0
                && response.handshake() == null ? channelSocket : null;
        this.remaining = length;
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
        if (direct) {
            // OkHttp would try to read the rest of a body it thinks unread before pooling the connection
            try {
                if (selector != null) selector.close();
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        response.close();
    }

    /**
     * Where the network interceptor leaves the socket a blob request went out on (the last hop's, after redirects).
     * OkHttp gives interceptors the connection but not the response.
     */
    static final class BlobSocket {
        volatile Socket socket;
    }

    /** The body source, counting what it reads and naming the watchdog's reason when it cut the download. */
    private final class PacedBody implements ReadableByteChannel {
        @Override
        public int read(ByteBuffer dst) throws IOException {
            int n;
            try {
                n = direct ? readChannel(dst) : readSource(dst);
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

        private int readSource(ByteBuffer dst) throws IOException {
            BufferedSource source = response.body().source();
            long socketReadsBefore = socket == null ? 0 : socket.streamReads();
            int n = source.read(dst);
            if (n > 0) remaining -= n;
            // A read of okio's that went to the socket moved all it got into the body's buffer; once that is empty
            // too, okio holds nothing of this body, and the socket's next byte is the body's next byte.
            if (socket != null && socket.streamReads() != socketReadsBefore && source.getBuffer().size() == 0) {
                direct = true;
                CHANNEL_BODIES.increment();
            }
            return n;
        }

        /**
         * A non-blocking read, waiting on a selector when nothing is there: a blocking channel read would ignore the
         * socket's read timeout, which must still end a body that went silent (as okio's reads did).
         */
        private int readChannel(ByteBuffer dst) throws IOException {
            if (remaining <= 0) return -1;
            SocketChannel channel = socket.getChannel();
            int limit = dst.limit();
            if (dst.remaining() > remaining) dst.limit(dst.position() + (int) remaining);
            int n;
            try {
                long silentSince = 0;
                while ((n = read(channel, dst)) == 0) {
                    long now = System.nanoTime();
                    if (silentSince == 0) silentSince = now;
                    long timeoutMs = socket.getSoTimeout();
                    long silentMs = TimeUnit.NANOSECONDS.toMillis(now - silentSince);
                    if (timeoutMs > 0 && silentMs >= timeoutMs) {
                        throw new SocketTimeoutException("timeout: no byte of the body for " + timeoutMs + " ms");
                    }
                    // in slices, so a socket closed under the wait (the watchdog's cancel) is noticed soon
                    long slice = timeoutMs > 0 ? Math.min(SELECT_SLICE_MS, timeoutMs - silentMs) : SELECT_SLICE_MS;
                    if (selector.select(Math.max(1, slice)) > 0) {
                        selector.selectedKeys().clear();
                        silentSince = 0;
                    }
                    if (!channel.isOpen()) throw new ClosedChannelException();
                }
            } finally {
                dst.limit(limit);
            }
            if (n < 0) throw new ProtocolException("unexpected end of stream: " + remaining + " bytes of the body missing");
            remaining -= n;
            return n;
        }

        private int read(SocketChannel channel, ByteBuffer dst) throws IOException {
            if (selector == null) {
                channel.configureBlocking(false);
                selector = Selector.open();
                channel.register(selector, SelectionKey.OP_READ);
            }
            return channel.read(dst);
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
