package dev.cachalot.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cachalot.registry.ServerLimits;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.RegistryReader;
import dev.cachalot.testing.RunsAlone;
import dev.cachalot.testing.TestBlob;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that send request bodies a byte at a time, from one address (127.0.0.2, a loopback address of its own),
 * against the real engine parts: they must neither hold a thread each nor keep the registry from answering others
 * (127.0.0.1), and they are cut off in bounded time. A short body window keeps the test short; the defaults differ
 * only in numbers.
 */
@RunsAlone
class SlowClientsTest {

    private static final String ACCEPT_ALL = TestImages.ACCEPT_ALL_MANIFESTS;
    private static final int PER_ADDRESS = 128;
    private static final ServerLimits LIMITS = new ServerLimits(PER_ADDRESS, 64, Duration.ofSeconds(3));
    private static final InetSocketAddress HOSTILE = new InetSocketAddress("127.0.0.2", 0);

    @TempDir
    Path temp;

    private CacheOnLoopback cache;
    private final List<SocketChannel> slow = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        cache = new CacheOnLoopback(temp.resolve("data"), LIMITS);
    }

    /** The cache again, under limits of the test's choosing. */
    private void restartWith(ServerLimits limits) throws IOException {
        cache.close();
        cache = null;
        cache = new CacheOnLoopback(temp.resolve("data-" + limits.bodyRateWindow().toSeconds()), limits);
    }

    @AfterEach
    void stop() {
        for (SocketChannel channel : slow) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
        if (cache != null) cache.close();
    }

    @Test
    void threeHundredByteAtATimeManifestPushesNeitherHoldThreadsNorStopOthersAndAreCutOff() throws Exception {
        TestImage image = new TestImages(11).ociImage();
        cache.upstreamPusher.push("app", "1", image);
        TestBlob layer = image.layers().get(0);
        assertThat(cache.reader.blob("up/app", layer.digest()).digest()).isEqualTo(layer.digest());

        for (int i = 0; i < 300; i++) {
            slow.add(openSlow("PUT /v2/local/slow" + i + "/manifests/1 HTTP/1.1\r\nHost: cache\r\n"
                    + "Content-Type: application/vnd.oci.image.manifest.v1+json\r\nContent-Length: 1000\r\n\r\n{"));
        }

        // Others are still served, from disk and by the API, while the slow bodies trickle in.
        RegistryReader.BlobRead cached = cache.reader.blob("up/app", layer.digest());
        assertThat(cached.status()).isEqualTo(200);
        assertThat(cached.headers().firstValue("X-Cachalot-Source")).hasValue("cache");
        assertThat(cache.reader.get("/v2/").status()).isEqualTo(200);
        // A waiting manifest body holds no thread: a handful of threads are busy (acceptor, selectors), not one per
        // connection.
        Thread.sleep(500);
        assertThat(busyRegistryThreads()).isLessThan(16);

        // Over the per-address cap, connections are closed at once; the rest are cut when their body falls behind.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> trickleAndCountOpen() == 0);
        assertThat(cache.reader.get("/v2/").status()).isEqualTo(200);
    }

    @Test
    void threeHundredUploadChunksArrivingAtPaceHoldNoThreadsWhilePullsAndPushesGoOnAndThenCompleteIntact() throws Exception {
        // Slow but within the pace (a window long enough for the whole test), so the chunks stay open: the class of
        // clients the pace cannot cut, which once held a pool thread each.
        restartWith(new ServerLimits(PER_ADDRESS, 1, Duration.ofSeconds(120)));
        TestImage image = new TestImages(12).ociImage();
        cache.upstreamPusher.push("app", "1", image);
        TestBlob layer = image.layers().get(0);
        assertThat(cache.reader.blob("up/app", layer.digest()).digest()).isEqualTo(layer.digest());

        // 300 sessions from ten addresses of their own (a client holds at most 32), then a chunk of 4 bytes on each,
        // of which only the first is sent.
        for (int i = 0; i < 300; i++) {
            InetSocketAddress from = new InetSocketAddress("127.0.0." + (2 + i % 10), 0);
            String location = startUploadFrom(from, "local/slow");
            slow.add(openSlowFrom(from, "PATCH " + location + " HTTP/1.1\r\nHost: cache\r\n"
                    + "Content-Type: application/octet-stream\r\nContent-Range: 0-3\r\nContent-Length: 4\r\n\r\nx"));
        }
        Thread.sleep(500);

        // A warm pull and a whole push from another address go through meanwhile.
        RegistryReader.BlobRead cached = cache.reader.blob("up/app", layer.digest());
        assertThat(cached.status()).isEqualTo(200);
        assertThat(cached.digest()).isEqualTo(layer.digest());
        assertThat(cached.headers().firstValue("X-Cachalot-Source")).hasValue("cache");
        TestImage pushed = new TestImages(13).ociImage();
        new RegistryPusher(cache.url()).push("local/normal", "1", pushed);
        RegistryReader.Fetched manifest = cache.reader.manifest("local/normal", "1", ACCEPT_ALL);
        assertThat(manifest.status()).isEqualTo(200);
        assertThat(manifest.bodyDigest()).isEqualTo(pushed.digest());
        assertThat(cache.reader.blob("local/normal", pushed.layers().get(0).digest()).digest())
                .isEqualTo(pushed.layers().get(0).digest());

        // The chunks wait without a thread each: a handful of pool threads are busy, and the pool never had to grow
        // anywhere near one thread per waiting body.
        assertThat(busyRegistryThreads()).isLessThan(16);
        assertThat(registryThreads()).isLessThan(256);
        assertThat(trickleAndCountOpen()).isEqualTo(300);

        // Each chunk then completes (4 bytes: x, the trickled space, two more) and its upload holds exactly those.
        for (SocketChannel channel : slow) {
            channel.write(ByteBuffer.wrap("yz".getBytes(StandardCharsets.ISO_8859_1)));
        }
        List<String> answers = readAnswers(slow);
        assertThat(answers).hasSize(300).allSatisfy(answer -> assertThat(answer)
                .startsWith("HTTP/1.1 202").containsIgnoringCase("Range: 0-3\r\n"));
    }

    @Test
    void oneAddressHoldsAtMostItsShareOfConnectionsAndOthersAreStillServed() throws Exception {
        for (int i = 0; i < PER_ADDRESS + 22; i++) {
            SocketChannel channel = SocketChannel.open();
            channel.bind(HOSTILE);
            channel.connect(new InetSocketAddress("127.0.0.1", cache.server.port()));
            channel.configureBlocking(false);
            slow.add(channel);
        }

        // The extras are closed as they arrive; the others stay open (they are not idle long enough to time out).
        await().atMost(Duration.ofSeconds(30)).until(() -> countClosed() == 22);
        assertThat(cache.reader.get("/v2/").status()).isEqualTo(200);
        assertThat(countClosed()).isEqualTo(22);
    }

    @Test
    void aByteAtATimeUploadChunkIsCutAndTheUploadStaysAsItWas() throws Exception {
        RegistryReader.Fetched started = post("/v2/local/slow/blobs/uploads/");
        assertThat(started.status()).isEqualTo(202);
        String location = started.headers().firstValue("Location").orElseThrow();

        slow.add(openSlow("PATCH " + location + " HTTP/1.1\r\nHost: cache\r\nContent-Type: application/octet-stream\r\n"
                + "Content-Length: 1000\r\n\r\nx"));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> trickleAndCountOpen() == 0);

        RegistryReader.Fetched status = cache.reader.get(location);
        assertThat(status.status()).isEqualTo(204);
        assertThat(status.headers().firstValue("Range")).hasValue("0-0");
    }

    @Test
    void aManifestPushThatWouldBeRefusedAnywayIsAnsweredWithoutWaitingForItsBody() throws Exception {
        String cached = raw("PUT /v2/up/app/manifests/1 HTTP/1.1\r\nHost: cache\r\nContent-Length: 1000\r\n\r\n");
        assertThat(cached).startsWith("HTTP/1.1 403").contains("\"code\":\"DENIED\"");

        String huge = raw("PUT /v2/local/app/manifests/1 HTTP/1.1\r\nHost: cache\r\nContent-Length: " + (5 << 20)
                + "\r\n\r\n");
        assertThat(huge).startsWith("HTTP/1.1 413").contains("\"code\":\"MANIFEST_INVALID\"");
    }

    /** Sends a request head without its body and reads what comes back before the body was ever sent. */
    private String raw(String head) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", cache.server.port())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private RegistryReader.Fetched post(String path) throws Exception {
        var client = java.net.http.HttpClient.newHttpClient();
        var response = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(cache.url() + path))
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        return new RegistryReader.Fetched(response.statusCode(), response.headers(), response.body());
    }

    /** Starts an upload session with a request from {@code from}; answers its location. */
    private String startUploadFrom(InetSocketAddress from, String repository) throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(from);
            socket.connect(new InetSocketAddress("127.0.0.1", cache.server.port()));
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(("POST /v2/" + repository + "/blobs/uploads/ HTTP/1.1\r\nHost: cache\r\n"
                    + "Content-Length: 0\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(answer).startsWith("HTTP/1.1 202");
            for (String line : answer.split("\r\n")) {
                if (line.regionMatches(true, 0, "Location:", 0, 9)) return line.substring(9).trim();
            }
            throw new AssertionError("no Location in " + answer);
        }
    }

    /** Reads each channel's answer head (up to the blank line), waiting for all of them. */
    private static List<String> readAnswers(List<SocketChannel> channels) {
        StringBuilder[] heads = new StringBuilder[channels.size()];
        for (int i = 0; i < heads.length; i++) heads[i] = new StringBuilder();
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            boolean all = true;
            for (int i = 0; i < heads.length; i++) {
                if (heads[i].indexOf("\r\n\r\n") >= 0) continue;
                buffer.clear();
                int n = channels.get(i).read(buffer);
                if (n > 0) heads[i].append(new String(buffer.array(), 0, n, StandardCharsets.ISO_8859_1));
                if (n < 0) heads[i].append("(closed)\r\n\r\n");
                all &= heads[i].indexOf("\r\n\r\n") >= 0;
            }
            return all;
        });
        List<String> answers = new ArrayList<>();
        for (StringBuilder head : heads) answers.add(head.toString());
        return answers;
    }

    private SocketChannel openSlow(String start) throws IOException {
        return openSlowFrom(HOSTILE, start);
    }

    private SocketChannel openSlowFrom(InetSocketAddress from, String start) throws IOException {
        SocketChannel channel = SocketChannel.open();
        channel.bind(from);
        channel.connect(new InetSocketAddress("127.0.0.1", cache.server.port()));
        channel.configureBlocking(false);
        try {
            channel.write(ByteBuffer.wrap(start.getBytes(StandardCharsets.ISO_8859_1)));
        } catch (IOException refused) {
            // closed by the server already
        }
        return channel;
    }

    /** How many of the slow connections the server closed (reading sends nothing, so the others are left as they are). */
    private int countClosed() {
        int closed = 0;
        ByteBuffer sink = ByteBuffer.allocate(4096);
        for (SocketChannel channel : slow) {
            try {
                sink.clear();
                if (!channel.isOpen() || channel.read(sink) < 0) {
                    channel.close();
                    closed++;
                }
            } catch (IOException closedByServer) {
                closed++;
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // gone either way
                }
            }
        }
        return closed;
    }

    /** Sends one more body byte on every slow connection still open; answers how many are open. */
    private int trickleAndCountOpen() {
        int open = 0;
        ByteBuffer sink = ByteBuffer.allocate(4096);
        for (SocketChannel channel : slow) {
            if (!channel.isOpen()) continue;
            try {
                sink.clear();
                if (channel.read(sink) < 0) {
                    channel.close();
                    continue;
                }
                channel.write(ByteBuffer.wrap(new byte[] {' '}));
                open++;
            } catch (IOException closedByServer) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // gone either way
                }
            }
        }
        return open;
    }

    /** Live registry pool threads, idle ones included. */
    private static int registryThreads() {
        return (int) Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("registry")).count();
    }

    /**
     * Registry pool threads doing something: not parked waiting for a job. (The pool's size says little, since it keeps
     * threads started by a burst of short requests for a minute.)
     */
    private static int busyRegistryThreads() {
        int busy = 0;
        for (var entry : Thread.getAllStackTraces().entrySet()) {
            if (!entry.getKey().getName().startsWith("registry")) continue;
            boolean idle = java.util.Arrays.stream(entry.getValue()).anyMatch(f -> f.getMethodName().equals("idleJobPoll"));
            if (!idle) busy++;
        }
        return busy;
    }
}
