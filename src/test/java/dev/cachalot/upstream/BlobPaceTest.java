package dev.cachalot.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachalot.oci.Digest;
import dev.cachalot.rules.AuthMode;
import dev.cachalot.rules.Upstream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The blob pace on its own: a body slower than the minimum rate is cut with a message that says so, and a body that
 * is slow but above it is read to the end. A raw loopback server sends the body in timed pieces; the JUnit timeouts
 * only turn a hang into a failure.
 */
class BlobPaceTest {

    private static final Digest DIGEST = Digest.sha256(new byte[32]);
    private static final BlobPace PACE = new BlobPace(Duration.ofSeconds(2), 1024, Duration.ofMillis(800));

    private final OkHttpUpstreamClient client = new OkHttpUpstreamClient(UpstreamCredentials.NONE,
            UpstreamHttpSettings.defaults().withBlobPace(PACE));
    private ServerSocket listener;

    @AfterEach
    void stop() throws IOException {
        client.close();
        if (listener != null) listener.close();
    }

    @Test
    @Timeout(30)
    void aBodyBelowTheMinimumRateIsCutAndTheReadSaysWhy() throws IOException {
        UpstreamRequest request = serve(4096, 8, 100); // 80 bytes/s

        try (UpstreamBlob blob = client.openBlob(request, DIGEST)) {
            assertThatThrownBy(() -> readAll(blob)).isInstanceOf(IOException.class)
                    .hasMessageContaining("under the minimum of 1024 bytes/s");
        }
    }

    @Test
    @Timeout(30)
    void aSlowBodyAboveTheMinimumRateIsReadToTheEnd() throws IOException {
        UpstreamRequest request = serve(3 * 4096, 512, 100); // 5 KiB/s for about 2.4 s, three windows

        try (UpstreamBlob blob = client.openBlob(request, DIGEST)) {
            assertThat(readAll(blob)).isEqualTo(3 * 4096);
        }
    }

    private static long readAll(UpstreamBlob blob) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(8192);
        long total = 0;
        for (int n; (n = blob.body().read(buf.clear())) >= 0; ) total += n;
        return total;
    }

    /** One answer of {@code length} bytes, sent {@code piece} bytes every {@code everyMillis}. */
    private UpstreamRequest serve(int length, int piece, long everyMillis) throws IOException {
        listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            try (Socket s = listener.accept()) {
                InputStream in = s.getInputStream();
                int matched = 0;
                byte[] end = {'\r', '\n', '\r', '\n'};
                while (matched < end.length) {
                    int b = in.read();
                    if (b < 0) return;
                    matched = b == end[matched] ? matched + 1 : (b == end[0] ? 1 : 0);
                }
                OutputStream out = s.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                for (int sent = 0; sent < length; sent += piece) {
                    out.write(new byte[Math.min(piece, length - sent)]);
                    out.flush();
                    Thread.sleep(everyMillis);
                }
            } catch (IOException | InterruptedException e) {
                // cut by the client: what one of the tests wants
            }
        }, "blob-pace-server");
        t.setDaemon(true);
        t.start();
        String hostPort = "127.0.0.1:" + listener.getLocalPort();
        return new UpstreamRequest(new Upstream("pace", hostPort, URI.create("http://" + hostPort), AuthMode.BOTH, null, false),
                "team/app", null);
    }
}
