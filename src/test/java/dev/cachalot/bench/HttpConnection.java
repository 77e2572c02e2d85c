package dev.cachalot.bench;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One kept-alive HTTP/1.1 connection that reads and discards response bodies, timing the first body byte.
 *
 * <p>A benchmark client must cost the same for both registries and as little as possible, so this is a plain
 * socket with a large buffer instead of a general HTTP client (whose per-byte overhead would cap warm blob
 * throughput below what the servers can do on loopback).
 */
final class HttpConnection implements Closeable {
    private static final int BUFFER = 1 << 18;

    private final String host;
    private final int port;
    private final byte[] buffer = new byte[BUFFER];
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    HttpConnection(String host, int port) {
        this.host = host;
        this.port = port;
    }

    /** What came back: status, headers (lower-case names), body size and timings relative to the request. */
    record Response(int status, Map<String, String> headers, long bodyBytes, long firstByteNanos, long totalNanos) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** Sends one request (no body) and reads the whole response; reconnects once if a kept-alive socket died. */
    Response exchange(String method, String path, Map<String, String> headers) throws IOException {
        boolean reused = socket != null;
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
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();

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

    private long discard(long length, long start, long[] firstByte) throws IOException {
        long read = 0;
        while (read < length) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, length - read));
            if (n < 0) {
                if (length == Long.MAX_VALUE) {
                    return read;
                }
                throw new EOFException("body ended after " + read + " of " + length + " bytes");
            }
            if (read == 0 && n > 0) {
                firstByte[0] = System.nanoTime() - start;
            }
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
            long[] chunkFirst = {-1};
            total += discard(size, start, chunkFirst);
            if (firstByte[0] < 0) {
                firstByte[0] = chunkFirst[0];
            }
            readLine();
        }
    }

    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder(64);
        while (true) {
            int b = in.read();
            if (b < 0) {
                return line.length() == 0 ? null : line.toString();
            }
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

    private void connectIfNeeded() throws IOException {
        if (socket != null) {
            return;
        }
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(host, port), 5_000);
        socket.setSoTimeout(120_000);
        in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
        out = socket.getOutputStream();
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        socket = null;
        in = null;
        out = null;
    }
}
