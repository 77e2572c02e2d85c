package dev.cachalot.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cachalot.oci.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Warm blobs sent with sendfile ({@link SocketFileTransfer}) straight to the socket, beside Jetty: exact bytes,
 * a connection Jetty can still reuse, and clean aborts. Reads with a plain kept-alive socket so the tests see
 * the wire exactly (how many bytes follow the headers, whether the next response on the connection is intact).
 */
class SendfileBlobTest extends RegistryTestSupport {

    /** Far larger than loopback socket buffers, so the transfer fills the socket and must wait for writability. */
    private static final int LARGE = 24 << 20;

    @TempDir
    Path folder;

    private String previousMode;
    private long bodiesBefore;

    @BeforeEach
    void useSendfile() {
        previousMode = System.getProperty(BlobBodies.FileMode.PROPERTY);
        System.setProperty(BlobBodies.FileMode.PROPERTY, "sendfile");
        bodiesBefore = SocketFileTransfer.BODIES_SENT.sum();
    }

    @AfterEach
    void restoreMode() {
        if (previousMode == null) {
            System.clearProperty(BlobBodies.FileMode.PROPERTY);
        } else {
            System.setProperty(BlobBodies.FileMode.PROPERTY, previousMode);
        }
    }

    private static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    private Digest warmBlob(byte[] bytes) throws IOException {
        Path file = folder.resolve("blob-" + bytes.length);
        Files.write(file, bytes);
        Digest digest = InMemoryBackend.digestOf(bytes);
        backend.putWarmBlob(bytes, file, digest);
        return digest;
    }

    private long sentBySendfile() {
        return SocketFileTransfer.BODIES_SENT.sum() - bodiesBefore;
    }

    /**
     * The server counts a body once its transfer returned, which can trail the client that already read the last
     * byte: wait for the count rather than read it once (it failed once that way on a loaded machine, 2 of 3).
     */
    private void assertSentBySendfile(long expected) {
        await().atMost(java.time.Duration.ofSeconds(30)).untilAsserted(() -> assertThat(sentBySendfile()).isEqualTo(expected));
    }

    @Test
    void wholeBlobArrivesByteForByteEvenWhenTheClientReadsSlowly() throws Exception {
        byte[] bytes = randomBytes(LARGE);
        Digest digest = warmBlob(bytes);

        try (Connection connection = new Connection(server.port())) {
            connection.socket.setReceiveBufferSize(64 << 10);
            connection.send("GET /v2/app/blobs/" + digest + " HTTP/1.1\r\nHost: x\r\n\r\n");
            Response response = connection.readResponse(true);

            assertThat(response.status).isEqualTo(200);
            assertThat(response.headers).containsEntry("content-length", String.valueOf(LARGE));
            assertThat(response.headers).containsEntry("docker-content-digest", digest.toString());
            assertThat(Arrays.equals(response.body, bytes)).isTrue();
        }
        assertThat(backend.awaitServed(1)).containsExactly(new InMemoryBackend.Served(digest, LARGE, null));
        assertSentBySendfile(1);
    }

    @Test
    void rangesAreSentExactly() throws Exception {
        byte[] bytes = randomBytes(LARGE);
        Digest digest = warmBlob(bytes);

        try (Connection connection = new Connection(server.port())) {
            connection.send(rangeRequest(digest, "bytes=1000-5000999"));
            Response middle = connection.readResponse(false);
            connection.send(rangeRequest(digest, "bytes=-777"));
            Response suffix = connection.readResponse(false);
            connection.send(rangeRequest(digest, "bytes=" + (LARGE - 10) + "-"));
            Response tail = connection.readResponse(false);

            assertThat(middle.status).isEqualTo(206);
            assertThat(middle.headers).containsEntry("content-range", "bytes 1000-5000999/" + LARGE);
            assertThat(Arrays.equals(middle.body, Arrays.copyOfRange(bytes, 1000, 5_001_000))).isTrue();
            assertThat(suffix.status).isEqualTo(206);
            assertThat(Arrays.equals(suffix.body, Arrays.copyOfRange(bytes, LARGE - 777, LARGE))).isTrue();
            assertThat(tail.status).isEqualTo(206);
            assertThat(Arrays.equals(tail.body, Arrays.copyOfRange(bytes, LARGE - 10, LARGE))).isTrue();
        }
        assertSentBySendfile(3);
    }

    @Test
    void connectionStaysUsableForTheNextRequests() throws Exception {
        byte[] first = randomBytes(LARGE);
        byte[] second = randomBytes(3 << 20);
        Digest firstDigest = warmBlob(first);
        Digest secondDigest = warmBlob(second);

        try (Connection connection = new Connection(server.port())) {
            connection.send("GET /v2/app/blobs/" + firstDigest + " HTTP/1.1\r\nHost: x\r\n\r\n");
            Response one = connection.readResponse(false);
            connection.send("GET /v2/app/blobs/" + secondDigest + " HTTP/1.1\r\nHost: x\r\n\r\n");
            Response two = connection.readResponse(false);
            connection.send("GET /v2/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            Response three = connection.readResponse(false);

            assertThat(Arrays.equals(one.body, first)).isTrue();
            assertThat(one.headers).doesNotContainKey("connection");
            assertThat(Arrays.equals(two.body, second)).isTrue();
            assertThat(three.status).isEqualTo(200);
            assertThat(new String(three.body, StandardCharsets.UTF_8)).isEqualTo("{}");
            assertThat(connection.in.read()).as("nothing after the announced bodies").isEqualTo(-1);
        }
        assertSentBySendfile(2);
    }

    @Test
    void clientDisconnectMidBodyIsReportedOnceAndTheServerKeepsServing() throws Exception {
        byte[] bytes = randomBytes(64 << 20);
        Digest digest = warmBlob(bytes);

        try (Connection connection = new Connection(server.port())) {
            connection.send("GET /v2/app/blobs/" + digest + " HTTP/1.1\r\nHost: x\r\n\r\n");
            connection.in.readNBytes(256 << 10);
            connection.socket.setSoLinger(true, 0); // reset rather than a polite close
        }

        List<InMemoryBackend.Served> served = backend.awaitServed(1);
        Thread.sleep(200); // a second report would arrive right after the first
        assertThat(backend.served).hasSize(1);
        assertThat(served.get(0).failure()).isNotNull();
        assertThat(served.get(0).bytes()).isGreaterThan(0).isLessThan(bytes.length);

        try (Connection connection = new Connection(server.port())) {
            connection.send("GET /v2/app/blobs/" + digest + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            Response again = connection.readResponse(false);
            assertThat(Arrays.equals(again.body, bytes)).isTrue();
        }
        assertSentBySendfile(1);
    }

    @Test
    void headSendsTheLengthAndNoBody() throws Exception {
        byte[] bytes = randomBytes(1 << 20);
        Digest digest = warmBlob(bytes);

        try (Connection connection = new Connection(server.port())) {
            connection.send("HEAD /v2/app/blobs/" + digest + " HTTP/1.1\r\nHost: x\r\n\r\n");
            Response head = connection.readHead();
            connection.send("GET /v2/app/blobs/" + digest + " HTTP/1.1\r\nHost: x\r\n\r\n");
            Response get = connection.readResponse(false);

            assertThat(head.headers).containsEntry("content-length", String.valueOf(bytes.length));
            assertThat(Arrays.equals(get.body, bytes)).isTrue();
        }
        // The GET's body only: and waiting for its count keeps it out of the next test's (the counter is the JVM's).
        assertSentBySendfile(1);
    }

    private static String rangeRequest(Digest digest, String range) {
        return "GET /v2/app/blobs/" + digest + " HTTP/1.1\r\nHost: x\r\nRange: " + range + "\r\n\r\n";
    }

    private record Response(int status, Map<String, String> headers, byte[] body) {
    }

    /** One kept-alive HTTP/1.1 connection that reads responses by their exact Content-Length. */
    private static final class Connection implements AutoCloseable {
        final Socket socket;
        final InputStream in;
        final OutputStream out;

        Connection(int port) throws IOException {
            socket = new Socket();
            socket.setReceiveBufferSize(256 << 10);
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(20_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        void send(String request) throws IOException {
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        Response readHead() throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0;
            while (matched < 4) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("connection ended inside the response head");
                }
                head.write(b);
                matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
            return new Response(Integer.parseInt(lines[0].split(" ")[1]), headers, new byte[0]);
        }

        /** Reads one response; {@code slowly} pauses between small reads so the server's socket buffer fills. */
        Response readResponse(boolean slowly) throws IOException, InterruptedException {
            Response head = readHead();
            int length = Integer.parseInt(head.headers.get("content-length"));
            byte[] body = new byte[length];
            int at = 0;
            int reads = 0;
            while (at < length) {
                int n = in.read(body, at, Math.min(length - at, slowly ? 256 << 10 : length - at));
                if (n < 0) {
                    throw new IOException("connection ended after " + at + " of " + length + " body bytes");
                }
                at += n;
                if (slowly && ++reads % 16 == 0) {
                    Thread.sleep(5);
                }
            }
            return new Response(head.status, head.headers, body);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
