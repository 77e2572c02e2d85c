package dev.cachalot.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A loopback HTTP/1.1 reverse proxy in front of one upstream, for tests: it counts requests per (method, path) and
 * the body bytes it sends downstream, and injects faults into chosen requests. Requests and responses pass through
 * byte for byte (every header, including {@code Host}, so a registry behind it builds {@code Location} URLs that
 * point back at the proxy); bodies are streamed, never buffered.
 *
 * <p>A small in-test server is used here because no real program counts and breaks registry traffic this way.
 *
 * <pre>{@code
 * try (CountingProxy proxy = CountingProxy.start(upstream.url())) {
 *     // point the engine at proxy.url() instead of upstream.url()
 *     ... eight concurrent pulls of one blob ...
 *     assertThat(proxy.forwarded("GET", "/v2/library/big/blobs/" + digest)).isEqualTo(1);
 *     proxy.inject(Fault.status(503), 2);
 * }
 * }</pre>
 */
public final class CountingProxy implements AutoCloseable {
    private static final int MAX_HEAD_BYTES = 64 * 1024;
    private static final int SOCKET_TIMEOUT_MILLIS = 5 * 60 * 1000;
    private static final int TLS_HANDSHAKE_RECORD = 0x16;

    private final String upstreamHost;
    private final int upstreamPort;
    private final ServerSocket server;
    private final ExecutorService threads;
    private final Set<Socket> openSockets = ConcurrentHashMap.newKeySet();
    private final Map<String, LongAdder> received = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> forwarded = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> bodyBytesByRequest = new ConcurrentHashMap<>();
    private final AtomicLong bodyBytes = new AtomicLong();
    private final List<Exchange> exchanges = new CopyOnWriteArrayList<>();
    private final List<FaultSlot> faults = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    /** One request as the proxy saw it, and what it sent back. */
    public record Exchange(String method, String target, List<String> requestHeaders, int status,
                           long responseBodyBytes, Fault fault) {
        public String path() {
            int query = target.indexOf('?');
            return query < 0 ? target : target.substring(0, query);
        }

        /** The first value of a request header, or null. */
        public String requestHeader(String name) {
            return headerValue(requestHeaders, name);
        }
    }

    private record FaultSlot(Fault fault, AtomicInteger remaining) {
    }

    private CountingProxy(String upstreamUrl) throws IOException {
        URI uri = URI.create(upstreamUrl);
        if (!"http".equals(uri.getScheme())) {
            throw new IllegalArgumentException("CountingProxy speaks plain HTTP only: " + upstreamUrl);
        }
        this.upstreamHost = uri.getHost();
        this.upstreamPort = uri.getPort() < 0 ? 80 : uri.getPort();
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
        AtomicInteger threadNumber = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "counting-proxy-" + server.getLocalPort() + "-" + threadNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        threads.execute(this::acceptLoop);
    }

    /** Starts a proxy on a free loopback port in front of {@code upstreamUrl} ({@code http://host:port}). */
    public static CountingProxy start(String upstreamUrl) {
        try {
            return new CountingProxy(upstreamUrl);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot start CountingProxy", e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    /** {@code http://127.0.0.1:PORT}. */
    public String url() {
        return "http://" + hostPort();
    }

    public String hostPort() {
        return "127.0.0.1:" + port();
    }

    /** Requests received with this method and exact path (query ignored), faulted ones included. */
    public long count(String method, String path) {
        return valueOf(received, key(method, path));
    }

    /** Requests passed on to the upstream with this method and exact path (faults answered here excluded). */
    public long forwarded(String method, String path) {
        return valueOf(forwarded, key(method, path));
    }

    /** All requests received. */
    public long totalRequests() {
        return received.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /**
     * Response body bytes sent downstream for this method and path. Bytes are counted once their write returned,
     * which can be just after the client read them: wait for an exact total rather than read it once.
     */
    public long bodyBytesSent(String method, String path) {
        return valueOf(bodyBytesByRequest, key(method, path));
    }

    /** All response body bytes sent downstream (counted like {@link #bodyBytesSent(String, String)}). */
    public long bodyBytesSent() {
        return bodyBytes.get();
    }

    /** Completed exchanges in the order they finished. */
    public List<Exchange> exchanges() {
        return Collections.unmodifiableList(new ArrayList<>(exchanges));
    }

    /** The next {@code times} requests that {@code fault} matches get it (faults are used in the order added). */
    public void inject(Fault fault, int times) {
        faults.add(new FaultSlot(fault, new AtomicInteger(times)));
    }

    public void clearFaults() {
        faults.clear();
    }

    /** Forgets counts and exchanges (faults stay). */
    public void resetCounts() {
        received.clear();
        forwarded.clear();
        bodyBytesByRequest.clear();
        bodyBytes.set(0);
        exchanges.clear();
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket socket : openSockets) {
            closeQuietly(socket);
        }
        threads.shutdownNow();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                openSockets.add(client);
                threads.execute(() -> serve(client));
            } catch (IOException e) {
                if (!closed) {
                    // accept failures other than close are unexpected; keep accepting
                    continue;
                }
                return;
            }
        }
    }

    private void serve(Socket client) {
        Socket upstream = null;
        try (client) {
            client.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
            client.setTcpNoDelay(true);
            InputStream clientIn = new BufferedInputStream(client.getInputStream(), 1 << 16);
            OutputStream clientOut = client.getOutputStream();
            InputStream upstreamIn = null;
            OutputStream upstreamOut = null;
            clientIn.mark(1);
            if (clientIn.read() == TLS_HANDSHAKE_RECORD) {
                // skopeo and other Go clients try TLS first when told not to verify: answer like a plain-HTTP
                // server so they fall back to http:// at once instead of waiting for a handshake timeout
                clientOut.write("HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTPS request to an HTTP server.\n"
                        .getBytes(StandardCharsets.ISO_8859_1));
                clientOut.flush();
                return;
            }
            clientIn.reset();
            while (!closed) {
                Head request = readHead(clientIn);
                if (request == null) {
                    return;
                }
                String[] requestLine = request.firstLine().split(" ", 3);
                if (requestLine.length < 3) {
                    return;
                }
                String method = requestLine[0];
                String target = requestLine[1];
                String path = pathOf(target);
                increment(received, key(method, path));
                Fault fault = takeFault(method, path);

                if (fault != null && fault.kind() == Fault.Kind.DELAY) {
                    Thread.sleep(fault.delay().toMillis());
                }
                if (fault != null && (fault.kind() == Fault.Kind.STATUS
                        || fault.kind() == Fault.Kind.TOO_MANY_REQUESTS)) {
                    discardBody(request, clientIn);
                    int status = answerFault(fault, clientOut);
                    exchanges.add(new Exchange(method, target, request.headers(), status, 0, fault));
                    if (request.wantsClose()) {
                        return;
                    }
                    continue;
                }

                boolean reused = upstream != null && !upstream.isClosed();
                if (!reused) {
                    upstream = connectUpstream();
                    upstreamIn = new BufferedInputStream(upstream.getInputStream(), 1 << 16);
                    upstreamOut = upstream.getOutputStream();
                }
                increment(forwarded, key(method, path));
                Head response = null;
                try {
                    upstreamOut.write(request.raw());
                    copyBody(request, clientIn, upstreamOut, null, null, null);
                    upstreamOut.flush();
                    response = readHead(upstreamIn);
                } catch (SocketException e) {
                    if (!reused) {
                        throw e;
                    }
                }
                boolean bodiless = request.contentLength() <= 0 && !request.isChunked();
                if (response == null && reused && bodiless) {
                    // the upstream closed an idle kept-alive connection: send again on a fresh one
                    openSockets.remove(upstream);
                    closeQuietly(upstream);
                    upstream = connectUpstream();
                    upstreamIn = new BufferedInputStream(upstream.getInputStream(), 1 << 16);
                    upstreamOut = upstream.getOutputStream();
                    upstreamOut.write(request.raw());
                    upstreamOut.flush();
                    response = readHead(upstreamIn);
                }
                while (response != null && statusOf(response) / 100 == 1) {
                    clientOut.write(response.raw());
                    clientOut.flush();
                    response = readHead(upstreamIn);
                }
                if (response == null) {
                    throw new EOFException("upstream closed without a response to " + method + " " + target);
                }
                int status = statusOf(response);
                if (fault != null && fault.kind() == Fault.Kind.RESPONSE_HEADER) {
                    clientOut.write(withHeader(response.raw(), fault.header()));
                } else {
                    clientOut.write(response.raw());
                }
                LongAdder perRequest = bodyBytesByRequest.computeIfAbsent(key(method, path), k -> new LongAdder());
                long sent;
                boolean untilClose = false;
                if (method.equals("HEAD") || status == 204 || status == 304) {
                    sent = 0;
                } else if (response.isChunked() || response.contentLength() >= 0) {
                    sent = copyBody(response, upstreamIn, clientOut, fault, perRequest, client);
                } else {
                    untilClose = true;
                    sent = copyUntilClose(upstreamIn, clientOut, fault, perRequest, client);
                }
                clientOut.flush();
                exchanges.add(new Exchange(method, target, request.headers(), status, sent, fault));
                if (sent < 0) {
                    // fault closed the connection mid-body; the upstream response is unfinished, drop it too
                    closeQuietly(upstream);
                    return;
                }
                if (untilClose || request.wantsClose() || response.wantsClose()) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // a client or upstream that went away ends this connection; the test sees it on its own side
        } finally {
            openSockets.remove(client);
            if (upstream != null) {
                openSockets.remove(upstream);
                closeQuietly(upstream);
            }
        }
    }

    private Socket connectUpstream() throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(upstreamHost, upstreamPort), 5000);
        socket.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
        socket.setTcpNoDelay(true);
        openSockets.add(socket);
        return socket;
    }

    private Fault takeFault(String method, String path) {
        for (FaultSlot slot : faults) {
            if (!slot.fault().matches(method, path)) {
                continue;
            }
            int left;
            while ((left = slot.remaining().get()) > 0) {
                if (slot.remaining().compareAndSet(left, left - 1)) {
                    return slot.fault();
                }
            }
        }
        return null;
    }

    /** A response head with one more header line, before the blank line that ends it. */
    private static byte[] withHeader(byte[] head, String line) {
        String text = new String(head, java.nio.charset.StandardCharsets.ISO_8859_1);
        int end = text.lastIndexOf("\r\n\r\n");
        return (text.substring(0, end) + "\r\n" + line + text.substring(end)).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static int answerFault(Fault fault, OutputStream out) throws IOException {
        int status = fault.status();
        String code = status == 429 ? "TOOMANYREQUESTS" : "UNAVAILABLE";
        byte[] body = ("{\"errors\":[{\"code\":\"" + code + "\",\"message\":\"injected by CountingProxy\"}]}")
                .getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder()
                .append("HTTP/1.1 ").append(status).append(' ').append(status == 429 ? "Too Many Requests" : "Injected")
                .append("\r\nContent-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
        if (fault.kind() == Fault.Kind.TOO_MANY_REQUESTS && fault.retryAfterSeconds() >= 0) {
            head.append("Retry-After: ").append(fault.retryAfterSeconds()).append("\r\n");
        }
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
        return status;
    }

    /**
     * Copies a message body framed by Content-Length or chunked encoding. Counts payload bytes (not chunk
     * framing) when {@code counter} is given; applies a body fault. Returns the payload bytes sent, or -1 when a
     * fault closed the downstream connection.
     */
    private long copyBody(Head head, InputStream in, OutputStream out, Fault fault, LongAdder counter, Socket downstream)
            throws IOException {
        BodyCursor cursor = new BodyCursor(fault, counter, downstream);
        if (head.isChunked()) {
            while (true) {
                String sizeLine = readLine(in);
                out.write((sizeLine + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                int semicolon = sizeLine.indexOf(';');
                long size = Long.parseLong((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
                if (size == 0) {
                    String trailer;
                    do {
                        trailer = readLine(in);
                        out.write((trailer + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    } while (!trailer.isEmpty());
                    return cursor.sent;
                }
                if (!cursor.copy(in, out, size)) {
                    return -1;
                }
                String crlf = readLine(in);
                out.write((crlf + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            }
        }
        long length = Math.max(0, head.contentLength());
        return cursor.copy(in, out, length) ? cursor.sent : -1;
    }

    private long copyUntilClose(InputStream in, OutputStream out, Fault fault, LongAdder counter, Socket downstream)
            throws IOException {
        BodyCursor cursor = new BodyCursor(fault, counter, downstream);
        return cursor.copy(in, out, Long.MAX_VALUE) ? cursor.sent : -1;
    }

    /** Streams body bytes, counting them and applying a close or corrupt fault at its offset. */
    private final class BodyCursor {
        private final Fault fault;
        private final LongAdder counter;
        private final Socket downstream;
        private final byte[] buffer = new byte[1 << 16];
        private long sent;

        BodyCursor(Fault fault, LongAdder counter, Socket downstream) {
            this.fault = fault;
            this.counter = counter;
            this.downstream = downstream;
        }

        /** Copies up to {@code length} bytes (to EOF for Long.MAX_VALUE); false when a fault closed downstream. */
        boolean copy(InputStream in, OutputStream out, long length) throws IOException {
            long left = length;
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    if (length == Long.MAX_VALUE) {
                        return true;
                    }
                    throw new EOFException("body ended early");
                }
                if (fault != null && fault.kind() == Fault.Kind.CLOSE_MID_BODY && counter != null
                        && sent + n > fault.offset()) {
                    int allowed = (int) Math.max(0, fault.offset() - sent);
                    out.write(buffer, 0, allowed);
                    out.flush();
                    account(allowed);
                    closeQuietly(downstream);
                    return false;
                }
                if (fault != null && fault.kind() == Fault.Kind.CORRUPT_BODY_BYTE && counter != null
                        && fault.offset() >= sent && fault.offset() < sent + n) {
                    int index = (int) (fault.offset() - sent);
                    buffer[index] = (byte) ~buffer[index];
                }
                out.write(buffer, 0, n);
                account(n);
                left -= n;
            }
            return true;
        }

        private void account(int n) {
            sent += n;
            if (counter != null) {
                counter.add(n);
                bodyBytes.addAndGet(n);
            }
        }
    }

    private void discardBody(Head request, InputStream in) throws IOException {
        copyBody(request, in, OutputStream.nullOutputStream(), null, null, null);
    }

    /** A message head: its raw bytes (forwarded unchanged) and its parsed header lines. */
    private record Head(byte[] raw, String firstLine, List<String> headers) {
        String header(String name) {
            return headerValue(headers, name);
        }

        boolean isChunked() {
            String te = header("Transfer-Encoding");
            return te != null && te.toLowerCase(Locale.ROOT).contains("chunked");
        }

        long contentLength() {
            String cl = header("Content-Length");
            return cl == null ? -1 : Long.parseLong(cl.trim());
        }

        boolean wantsClose() {
            String connection = header("Connection");
            return connection != null && connection.toLowerCase(Locale.ROOT).contains("close")
                    || firstLine.endsWith("HTTP/1.0") || firstLine.startsWith("HTTP/1.0");
        }
    }

    private static Head readHead(InputStream in) throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream(1024);
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                if (raw.size() == 0) {
                    return null;
                }
                throw new EOFException("connection closed inside a message head");
            }
            raw.write(b);
            if (raw.size() > MAX_HEAD_BYTES) {
                throw new IOException("message head too large");
            }
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        byte[] bytes = raw.toByteArray();
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        String[] lines = text.split("\r\n");
        List<String> headers = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            if (!lines[i].isEmpty()) {
                headers.add(lines[i]);
            }
        }
        return new Head(bytes, lines[0], List.copyOf(headers));
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed inside chunk framing");
            }
            if (b == '\n') {
                int end = line.length();
                if (end > 0 && line.charAt(end - 1) == '\r') {
                    line.setLength(end - 1);
                }
                return line.toString();
            }
            line.append((char) b);
            if (line.length() > MAX_HEAD_BYTES) {
                throw new IOException("line too long");
            }
        }
    }

    private static String headerValue(List<String> headers, String name) {
        for (String line : headers) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    private static int statusOf(Head response) {
        String[] parts = response.firstLine().split(" ", 3);
        return Integer.parseInt(parts[1]);
    }

    private static String pathOf(String target) {
        int query = target.indexOf('?');
        return query < 0 ? target : target.substring(0, query);
    }

    private static String key(String method, String path) {
        return method.toUpperCase(Locale.ROOT) + " " + path;
    }

    private static void increment(Map<String, LongAdder> map, String key) {
        map.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    private static long valueOf(Map<String, LongAdder> map, String key) {
        LongAdder adder = map.get(key);
        return adder == null ? 0 : adder.sum();
    }

    private static void closeQuietly(Socket socket) {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    @Override
    public String toString() {
        return "CountingProxy " + url() + " -> http://" + upstreamHost + ":" + upstreamPort;
    }
}
