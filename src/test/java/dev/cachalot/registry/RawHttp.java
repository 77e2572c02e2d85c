package dev.cachalot.registry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a request line byte for byte over a plain socket. The JDK HttpClient normalises paths (and refuses
 * some), so traversal attempts must be sent this way to reach the server exactly as an attacker would send them.
 */
public final class RawHttp {

    /** A parsed response; {@code complete} is false when the connection ended before the announced body did. */
    public record Answer(int status, Map<String, String> headers, byte[] body, boolean complete) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private RawHttp() {
    }

    public static Answer get(int port, String rawTarget) throws IOException {
        return send(port, "GET " + rawTarget + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    }

    public static Answer send(int port, String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return read(socket.getInputStream());
        }
    }

    private static Answer read(InputStream in) throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        byte[] buffer = new byte[65536];
        boolean reset = false;
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                raw.write(buffer, 0, n);
            }
        } catch (SocketException e) {
            reset = true; // connection reset: the server aborted
        }
        byte[] all = raw.toByteArray();
        int headerEnd = indexOf(all, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        if (headerEnd < 0) {
            throw new IOException("no complete response head: " + new String(all, StandardCharsets.ISO_8859_1));
        }
        String[] lines = new String(all, 0, headerEnd, StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        byte[] rest = java.util.Arrays.copyOfRange(all, headerEnd + 4, all.length);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            return dechunk(status, headers, rest, reset);
        }
        String length = headers.get("content-length");
        boolean complete = !reset && (length == null || rest.length == Long.parseLong(length));
        return new Answer(status, headers, rest, complete);
    }

    private static Answer dechunk(int status, Map<String, String> headers, byte[] rest, boolean reset) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int at = 0;
        while (true) {
            int lineEnd = indexOf(rest, at, "\r\n".getBytes(StandardCharsets.ISO_8859_1));
            if (lineEnd < 0) {
                return new Answer(status, headers, body.toByteArray(), false);
            }
            int size = Integer.parseInt(new String(rest, at, lineEnd - at, StandardCharsets.ISO_8859_1).split(";")[0].trim(), 16);
            if (size == 0) {
                return new Answer(status, headers, body.toByteArray(), !reset);
            }
            int start = lineEnd + 2;
            if (start + size + 2 > rest.length) {
                body.write(rest, start, Math.max(0, Math.min(size, rest.length - start)));
                return new Answer(status, headers, body.toByteArray(), false);
            }
            body.write(rest, start, size);
            at = start + size + 2;
        }
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        return indexOf(data, 0, pattern);
    }

    private static int indexOf(byte[] data, int from, byte[] pattern) {
        outer:
        for (int i = from; i <= data.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) continue outer;
            }
            return i;
        }
        return -1;
    }
}
