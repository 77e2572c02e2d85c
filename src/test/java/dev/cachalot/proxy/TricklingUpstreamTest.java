package dev.cachalot.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.cachalot.engine.Engine;
import dev.cachalot.engine.RuleDraft;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.testing.RegistryReader;
import dev.cachalot.testing.RunsAlone;
import dev.cachalot.upstream.BlobPace;
import dev.cachalot.upstream.UpstreamHttpSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upstream that answers a byte at a time, so that the read timeout (silence) never trips: the engine must still
 * answer in bounded time, with the spec's error, and cache nothing. The limits are cut to about a second through the
 * system properties the engine's upstream client reads; the JUnit timeouts only turn a hang (the bug) into a failure
 * and are far above what the limits allow.
 */
@RunsAlone
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TricklingUpstreamTest {

    private static final String BLOB = "sha256:" + "ab".repeat(32);
    private static final List<String> PROPERTIES = List.of(UpstreamHttpSettings.CALL_TIMEOUT_PROPERTY,
            BlobPace.HEADERS_TIMEOUT_PROPERTY, BlobPace.MIN_RATE_PROPERTY, BlobPace.WINDOW_PROPERTY);

    @TempDir
    static Path temp;

    private final List<Trickler> upstreams = new CopyOnWriteArrayList<>();
    private Engine engine;
    private RegistryReader cache;

    @BeforeAll
    void start() throws IOException {
        System.setProperty(UpstreamHttpSettings.CALL_TIMEOUT_PROPERTY, "1500");
        System.setProperty(BlobPace.HEADERS_TIMEOUT_PROPERTY, "1500");
        System.setProperty(BlobPace.MIN_RATE_PROPERTY, "1024");
        System.setProperty(BlobPace.WINDOW_PROPERTY, "1500");
        engine = Engine.open(new DataFolder(temp.resolve("data")));
        engine.startServer("127.0.0.1:0");
        cache = new RegistryReader("http://127.0.0.1:" + engine.port());
    }

    @AfterAll
    void stop() {
        if (engine != null) engine.close();
        upstreams.forEach(Trickler::close);
        PROPERTIES.forEach(System::clearProperty);
    }

    @Test
    @Timeout(60)
    void aColdManifestWhoseHeadersTrickleEndsInAnUpstreamErrorAndIsNotCached() throws IOException {
        upstreamUnder("slowm");
        RegistryReader.Fetched answer = cache.manifest("slowm/headers/app", "1", "application/vnd.oci.image.manifest.v1+json");

        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.text()).contains("\"code\":\"UNKNOWN\"", "the upstream is unavailable");
        assertThat(engine.repositories()).noneMatch(r -> r.name().startsWith("slowm/"));
    }

    @Test
    @Timeout(60)
    void aColdBlobWhoseHeadersTrickleEndsInAnUpstreamErrorAndIsNotCached() throws IOException {
        upstreamUnder("slowh");
        RegistryReader.Fetched answer = cache.get("/v2/slowh/headers/app/blobs/" + BLOB);

        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.text()).contains("\"code\":\"UNKNOWN\"", "the upstream is unavailable").contains("no response headers");
        assertThat(blobFiles()).isEmpty();
    }

    @Test
    @Timeout(90)
    void aColdBlobWhoseBodyTricklesIsCutOffAndIsNotCached() throws IOException {
        Trickler upstream = upstreamUnder("slowb");
        Throwable broken = catchThrowable(() -> {
            RegistryReader.BlobRead read = cache.blob("slowb/body/app", BLOB);
            assertThat(read.status()).as("an error status, if not a broken body").isNotEqualTo(200);
        });

        if (broken != null) assertThat(broken).hasMessageContaining("blob body broke off");
        assertThat(blobFiles()).isEmpty();
        assertThat(upstream.requests).anyMatch(r -> r.startsWith("GET /v2/body/app/blobs/"));
    }

    /**
     * A trickling upstream of its own under {@code local/*}: each test has its own, since the first timeout opens the
     * upstream's circuit breaker.
     */
    private Trickler upstreamUnder(String local) throws IOException {
        Trickler upstream = new Trickler();
        upstreams.add(upstream);
        engine.addUpstream(upstream.hostPort(), "http://" + upstream.hostPort(), null);
        engine.createRule(new RuleDraft("trickle-" + local, upstream.hostPort() + "/*", local + "/*", null, null));
        return upstream;
    }

    private List<Path> blobFiles() throws IOException {
        Path blobs = temp.resolve("data").resolve("blobs");
        if (!Files.exists(blobs)) return List.of();
        try (Stream<Path> files = Files.walk(blobs)) {
            return files.filter(Files::isRegularFile).filter(f -> f.toString().contains("ab".repeat(32))).toList();
        }
    }

    /**
     * A raw HTTP/1.1 server on 127.0.0.1 that never stalls long: under {@code /v2/headers/} it sends its status line
     * and headers a byte every 100 ms, under {@code /v2/body/} it sends the headers at once (a 1 MiB body) and then
     * the body a byte every 100 ms.
     */
    private static final class Trickler implements AutoCloseable {
        final List<String> requests = new CopyOnWriteArrayList<>();
        private final ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "trickler");
            t.setDaemon(true);
            return t;
        });

        Trickler() throws IOException {
            threads.execute(() -> {
                while (!listener.isClosed()) {
                    try {
                        Socket s = listener.accept();
                        threads.execute(() -> answer(s));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        String hostPort() {
            return "127.0.0.1:" + listener.getLocalPort();
        }

        private void answer(Socket socket) {
            try (socket) {
                String line = readHead(socket.getInputStream());
                requests.add(line);
                OutputStream out = socket.getOutputStream();
                byte[] head = ("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: "
                        + (1 << 20) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
                if (line.contains("/v2/body/")) {
                    out.write(head);
                    out.flush();
                    head = new byte[1 << 20];
                }
                for (byte b : head) {
                    out.write(b);
                    out.flush();
                    Thread.sleep(100);
                }
            } catch (IOException e) {
                // the engine gave up: what these tests want
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private static String readHead(InputStream in) throws IOException {
            StringBuilder head = new StringBuilder();
            int b;
            while ((b = in.read()) >= 0) {
                head.append((char) b);
                if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) break;
            }
            int eol = head.indexOf("\r\n");
            return eol < 0 ? head.toString() : head.substring(0, eol);
        }

        @Override
        public void close() {
            try {
                listener.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            threads.shutdownNow();
        }
    }
}
