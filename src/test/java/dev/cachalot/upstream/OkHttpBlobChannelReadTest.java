package dev.cachalot.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachalot.oci.Digest;
import dev.cachalot.rules.AuthMode;
import dev.cachalot.rules.Upstream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Blob bodies over plain HTTP/1.1 switch from okio to reading the socket's channel once okio's buffer is drained
 * (ChannelSocket): the bytes must come out exactly as sent, a body cut short must still fail, and the client must go on
 * working afterwards although the connection is not pooled.
 */
class OkHttpBlobChannelReadTest {

    private static final byte[] BLOB = random(3 * 1024 * 1024 + 7);
    private static final Digest DIGEST = Digest.of("sha256", BLOB);
    private static final Digest CUT_SHORT = Digest.of("sha256", new byte[] {1});

    private ServerSocket server;
    private final ExecutorService connections = Executors.newCachedThreadPool();
    private final AtomicInteger accepted = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        connections.execute(() -> {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    accepted.incrementAndGet();
                    connections.execute(() -> serve(socket));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
        connections.shutdownNow();
    }

    @Test
    void readsTheWholeBodyFromTheSocketChannelAndTheClientGoesOnWorking() throws Exception {
        long before = OkHttpBlob.CHANNEL_BODIES.sum();
        try (var client = new OkHttpUpstreamClient()) {
            for (int i = 0; i < 2; i++) {
                try (UpstreamBlob blob = client.openBlob(request(), DIGEST)) {
                    assertThat(blob.contentLength()).isEqualTo(BLOB.length);
                    assertThat(readAll(blob)).isEqualTo(BLOB);
                }
            }
        }
        assertThat(OkHttpBlob.CHANNEL_BODIES.sum() - before).as("bodies read from the channel").isEqualTo(2);
        assertThat(accepted.get()).as("a connection whose body was read past OkHttp is not reused").isEqualTo(2);
    }

    @Test
    void aBodyCutShortOfItsLengthFailsInsteadOfEndingEarly() throws Exception {
        try (var client = new OkHttpUpstreamClient();
             UpstreamBlob blob = client.openBlob(request(), CUT_SHORT)) {
            assertThatThrownBy(() -> readAll(blob)).isInstanceOf(IOException.class);
        }
    }

    private UpstreamRequest request() {
        String hostPort = "127.0.0.1:" + server.getLocalPort();
        Upstream upstream = new Upstream("test", hostPort, java.net.URI.create("http://" + hostPort), AuthMode.BOTH,
                null, false);
        return new UpstreamRequest(upstream, "team/blob", null);
    }

    /** HTTP/1.1 with keep-alive: the blob whole, or (for {@link #CUT_SHORT}) its length with half the bytes and a close. */
    private void serve(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            while (true) {
                String head = readHead(in);
                if (head == null) return;
                boolean cut = head.contains(CUT_SHORT.toString());
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + BLOB.length
                        + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.write(BLOB, 0, cut ? BLOB.length / 2 : BLOB.length);
                out.flush();
                if (cut) return;
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        for (int b; (b = in.read()) >= 0; ) {
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == 4) return head.toString(StandardCharsets.ISO_8859_1);
        }
        return null;
    }

    private static byte[] readAll(UpstreamBlob blob) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(256 * 1024);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (blob.body().read(buf) != -1) {
            buf.flip();
            byte[] chunk = new byte[buf.remaining()];
            buf.get(chunk);
            out.write(chunk);
            buf.clear();
        }
        return out.toByteArray();
    }

    private static byte[] random(int size) {
        byte[] bytes = new byte[size];
        SplittableRandom random = new SplittableRandom(16);
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) random.nextInt(256);
        }
        return bytes;
    }
}
