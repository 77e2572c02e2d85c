package dev.cachalot.bench;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One kept-alive HTTP/1.1 connection that reads and discards response bodies, timing the first body byte.
 *
 * <p>A benchmark client must cost the same for both registries and as little as possible, so this is a socket
 * channel reading into one large direct buffer instead of a general HTTP client or a socket stream: a stream read
 * copies every byte twice (kernel to a temporary direct buffer, then to the array), which on a two-core machine
 * capped warm blob throughput at the client's own copy rate rather than the servers'. The channel is non-blocking
 * only so that a read can time out; a read that finds no bytes waits on a selector.
 */
final class HttpConnection implements Closeable {
    private static final int BUFFER = 1 << 18;
    private static final long TIMEOUT_MILLIS = 120_000;
    private static final long CONNECT_TIMEOUT_MILLIS = 5_000;

    private final String host;
    private final int port;
    private final long timeoutMillis;
    /** Bytes received and not yet consumed lie between position and limit (read mode). */
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER).flip();
    private SocketChannel channel;
    private Selector selector;

    HttpConnection(String host, int port) {
        this(host, port, TIMEOUT_MILLIS);
    }

    /** @param timeoutMillis how long a read may wait for a byte before the exchange fails */
    HttpConnection(String host, int port, long timeoutMillis) {
        this.host = host;
        this.port = port;
        this.timeoutMillis = timeoutMillis;
    }

    /** What came back: status, headers (lower-case names), body size and timings relative to the request. */
    record Response(int status, Map<String, String> headers, long bodyBytes, long firstByteNanos, long totalNanos) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** Sends one request (no body) and reads the whole response; reconnects once if a kept-alive socket died. */
    Response exchange(String method, String path, Map<String, String> headers) throws IOException {
        boolean reused = channel != null;
        try {
            return exchangeOnce(method, path, headers);
        } catch (IOException e) {
            close();
            if (!reused) {
                throw e;
            }
            return exchangeOnce(method, path, headers);
        }
    }

    Response get(String path, Map<String, String> headers) throws IOException {
        return exchange("GET", path, headers);
    }

    private Response exchangeOnce(String method, String path, Map<String, String> headers) throws IOException {
        connectIfNeeded();
        StringBuilder head = new StringBuilder(256)
                .append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(host).append(':').append(port).append("\r\n")
                .append("User-Agent: cachalot-bench\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("\r\n");
        long start = System.nanoTime();
        writeFully(ByteBuffer.wrap(head.toString().getBytes(StandardCharsets.ISO_8859_1)));

        String statusLine = readLine();
        if (statusLine == null) {
            throw new EOFException("connection closed before a response to " + method + " " + path);
        }
        int status = Integer.parseInt(statusLine.split(" ", 3)[1]);
        Map<String, String> responseHeaders = new LinkedHashMap<>();
        for (String line = readLine(); line != null && !line.isEmpty(); line = readLine()) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                responseHeaders.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        line.substring(colon + 1).trim());
            }
        }
        long[] firstByte = {-1};
        long body;
        String length = responseHeaders.get("content-length");
        String transfer = responseHeaders.getOrDefault("transfer-encoding", "");
        boolean close = "close".equalsIgnoreCase(responseHeaders.get("connection"));
        if (method.equals("HEAD") || status == 204 || status == 304) {
            body = 0;
        } else if (transfer.toLowerCase(Locale.ROOT).contains("chunked")) {
            body = discardChunked(start, firstByte);
        } else if (length != null) {
            body = discard(Long.parseLong(length), start, firstByte);
        } else {
            body = discard(Long.MAX_VALUE, start, firstByte);
            close = true;
        }
        long end = System.nanoTime() - start;
        if (close) {
            close();
        }
        long ttfb = firstByte[0] < 0 ? end : firstByte[0];
        return new Response(status, responseHeaders, body, ttfb, end);
    }

    /** Consumes {@code length} body bytes (or up to the end of the stream for {@link Long#MAX_VALUE}). */
    private long discard(long length, long start, long[] firstByte) throws IOException {
        long read = 0;
        while (read < length) {
            if (!buffer.hasRemaining() && fill() < 0) {
                if (length == Long.MAX_VALUE) {
                    return read;
                }
                throw new EOFException("body ended after " + read + " of " + length + " bytes");
            }
            int n = (int) Math.min(buffer.remaining(), length - read);
            if (read == 0 && firstByte[0] < 0) {
                firstByte[0] = System.nanoTime() - start;
            }
            buffer.position(buffer.position() + n);
            read += n;
        }
        return read;
    }

    private long discardChunked(long start, long[] firstByte) throws IOException {
        long total = 0;
        while (true) {
            String sizeLine = readLine();
            if (sizeLine == null) {
                throw new EOFException("connection closed inside chunked body");
            }
            int semicolon = sizeLine.indexOf(';');
            long size = Long.parseLong((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
            if (size == 0) {
                for (String trailer = readLine(); trailer != null && !trailer.isEmpty(); trailer = readLine()) {
                    // trailers are not used
                }
                return total;
            }
            total += discard(size, start, firstByte);
            readLine();
        }
    }

    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder(64);
        while (true) {
            if (!buffer.hasRemaining() && fill() < 0) {
                return line.length() == 0 ? null : line.toString();
            }
            int b = buffer.get() & 0xff;
            if (b == '\n') {
                int end = line.length();
                if (end > 0 && line.charAt(end - 1) == '\r') {
                    line.setLength(end - 1);
                }
                return line.toString();
            }
            line.append((char) b);
        }
    }

    /** Reads more bytes into the (fully consumed) buffer, waiting up to the timeout; -1 at the end of the stream. */
    private int fill() throws IOException {
        buffer.clear();
        try {
            int n = channel.read(buffer);
            if (n == 0) {
                await(SelectionKey.OP_READ);
                n = channel.read(buffer);
            }
            return n;
        } finally {
            buffer.flip();
        }
    }

    private void writeFully(ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            if (channel.write(bytes) == 0) {
                await(SelectionKey.OP_WRITE);
            }
        }
    }

    private void await(int operation) throws IOException {
        SelectionKey key = channel.keyFor(selector);
        key.interestOps(operation);
        selector.selectedKeys().clear();
        if (selector.select(timeoutMillis) == 0) {
            throw new SocketTimeoutException("no progress from " + host + ":" + port + " in " + timeoutMillis + " ms");
        }
    }

    private void connectIfNeeded() throws IOException {
        if (channel != null) {
            return;
        }
        channel = SocketChannel.open();
        try {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.configureBlocking(false);
            selector = Selector.open();
            channel.register(selector, SelectionKey.OP_CONNECT);
            if (!channel.connect(new InetSocketAddress(host, port))) {
                if (selector.select(CONNECT_TIMEOUT_MILLIS) == 0) {
                    throw new SocketTimeoutException("connecting to " + host + ":" + port + " timed out");
                }
                channel.finishConnect();
            }
            buffer.clear().flip();
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    @Override
    public void close() {
        for (Closeable open : new Closeable[] {selector, channel}) {
            if (open != null) {
                try {
                    open.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }
        selector = null;
        channel = null;
    }
}
