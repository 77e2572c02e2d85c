package dev.cachalot.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cachalot.oci.Digest;
import dev.cachalot.security.LocalCertificateAuthority;
import dev.cachalot.security.TrustedProxies;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The PROXY protocol on a real listener, spoken byte by byte over loopback sockets: a trusted balancer (127.0.0.1)
 * announces clients in v1 and v2 and is served as itself without a header; a peer that is not trusted (a socket bound
 * to 127.0.0.2) is refused when it sends a header and served as itself when it does not; with no balancer trusted the
 * listener reads no header at all.
 */
class ProxyProtocolTest {
    private static final byte[] MANIFEST = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
    private static final String GET = "GET /v2/library/app/manifests/1.0 HTTP/1.1\r\nHost: cache\r\n"
            + "Accept: application/vnd.oci.image.manifest.v1+json\r\nConnection: close\r\n\r\n";
    private static final TrustedProxies LOOPBACK_BALANCER = TrustedProxies.parse(List.of("127.0.0.1/32"));

    private final Logger accessLogger = (Logger) LoggerFactory.getLogger(AccessLogFormat.LOGGER);
    private final Logger refusals = (Logger) LoggerFactory.getLogger(ProxyProtocol.class);
    private final ListAppender<ILoggingEvent> accessLines = new ListAppender<>();
    private final ListAppender<ILoggingEvent> refusalLines = new ListAppender<>();
    private final InMemoryBackend backend = new InMemoryBackend();
    private RegistryServer server;

    @BeforeEach
    void listen() {
        accessLines.start();
        accessLogger.addAppender(accessLines);
        refusalLines.start();
        refusals.addAppender(refusalLines);
        backend.putManifest("library/app", "1.0", MANIFEST, "application/vnd.oci.image.manifest.v1+json", ContentOrigin.CACHE);
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
        accessLogger.detachAppender(accessLines);
        refusals.detachAppender(refusalLines);
    }

    private void serve(TrustedProxies trusted) throws IOException {
        server = new RegistryServer(backend, new ServerOptions(null, RequestObserver.NONE, Operations.ALWAYS_READY, null,
                AccessLogFormat.JSON, null, trusted));
        server.start("127.0.0.1", 0);
    }

    @Test
    void aTrustedBalancersV1HeaderNamesTheClientTheLogShows() throws Exception {
        serve(LOOPBACK_BALANCER);
        String answer = exchange("127.0.0.1", ("PROXY TCP4 192.0.2.7 127.0.0.1 40000 " + server.port() + "\r\n" + GET)
                .getBytes(StandardCharsets.US_ASCII));
        assertThat(answer).startsWith("HTTP/1.1 200");
        assertThat(loggedClients()).containsExactly("192.0.2.7");
    }

    @Test
    void aTrustedBalancersV2HeaderNamesTheClientTheLogShows() throws Exception {
        serve(LOOPBACK_BALANCER);
        String answer = exchange("127.0.0.1", concat(v2Header("198.51.100.9", 51000), GET.getBytes(StandardCharsets.US_ASCII)));
        assertThat(answer).startsWith("HTTP/1.1 200");
        assertThat(loggedClients()).containsExactly("198.51.100.9");
    }

    @Test
    void withTlsPassedThroughTheHeaderComesFirstAndTheHandshakeAfterIt(@TempDir Path tls) throws Exception {
        LocalCertificateAuthority.Issued issued = LocalCertificateAuthority.issue(List.of("127.0.0.1"), tls);
        server = new RegistryServer(backend, new ServerOptions(new TlsFiles(issued.serverCertificate(), issued.serverKey()),
                RequestObserver.NONE, Operations.ALWAYS_READY, null, AccessLogFormat.JSON, null, LOOPBACK_BALANCER));
        server.start("127.0.0.1", 0);
        try (Socket balancer = connect("127.0.0.1")) {
            balancer.getOutputStream().write(v2Header("203.0.113.40", 52000));
            balancer.getOutputStream().flush();
            SSLContext trustAll = SSLContext.getInstance("TLS");
            trustAll.init(null, new TrustManager[] {new TrustEverything()}, null);
            try (SSLSocket client = (SSLSocket) trustAll.getSocketFactory().createSocket(balancer, "127.0.0.1", server.port(), true)) {
                client.getOutputStream().write(GET.getBytes(StandardCharsets.US_ASCII));
                client.getOutputStream().flush();
                assertThat(readAll(client.getInputStream())).startsWith("HTTP/1.1 200");
            }
        }
        assertThat(loggedClients()).containsExactly("203.0.113.40");
    }

    /** The test's own certificate on loopback: what is under test is the address, not the chain. */
    private static final class TrustEverything implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    @Test
    void blobBodiesStillGoStraightFromTheFileToTheSocketBehindTheBalancer(@TempDir Path folder) throws Exception {
        String previousMode = System.getProperty(BlobBodies.FileMode.PROPERTY);
        System.setProperty(BlobBodies.FileMode.PROPERTY, "sendfile");
        try {
            serve(LOOPBACK_BALANCER);
            byte[] blob = new byte[4 << 20];
            new Random(7).nextBytes(blob);
            Path file = Files.write(folder.resolve("blob"), blob);
            Digest digest = InMemoryBackend.digestOf(blob);
            backend.putWarmBlob(blob, file, digest);
            long before = SocketFileTransfer.BODIES_SENT.sum();

            String answer = exchange("127.0.0.1", ("PROXY TCP4 192.0.2.12 127.0.0.1 40000 " + server.port() + "\r\n"
                    + "GET /v2/app/blobs/" + digest + " HTTP/1.1\r\nHost: cache\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));

            assertThat(answer).startsWith("HTTP/1.1 200");
            assertThat(answer.length()).isGreaterThan(blob.length);
            await().atMost(Duration.ofSeconds(30)).until(() -> SocketFileTransfer.BODIES_SENT.sum() > before);
            assertThat(loggedClients()).containsExactly("192.0.2.12");
        } finally {
            if (previousMode == null) System.clearProperty(BlobBodies.FileMode.PROPERTY);
            else System.setProperty(BlobBodies.FileMode.PROPERTY, previousMode);
        }
    }

    @Test
    void aTrustedBalancerWithoutAHeaderIsServedAsItself() throws Exception {
        serve(LOOPBACK_BALANCER);
        assertServedAsItselfWithoutAHeader("127.0.0.1");
    }

    @Test
    void aHeaderFromAnAddressThatIsNotTrustedIsRefusedUnansweredAndLoggedOnce() throws Exception {
        serve(LOOPBACK_BALANCER);
        byte[] forgedV1 = ("PROXY TCP4 192.0.2.66 127.0.0.1 40000 " + server.port() + "\r\n" + GET).getBytes(StandardCharsets.US_ASCII);
        assertThat(exchange("127.0.0.2", forgedV1)).as("closed before any answer").isEmpty();
        byte[] forgedV2 = concat(v2Header("192.0.2.66", 40001), GET.getBytes(StandardCharsets.US_ASCII));
        assertThat(exchange("127.0.0.2", forgedV2)).isEmpty();
        // Split so that no single read holds the whole signature: still recognised, still refused.
        assertThat(exchangeInTwo("127.0.0.2", forgedV2, 6)).isEmpty();

        assertThat(accessLines.list).as("nothing reached the handler").isEmpty();
        assertThat(refusalLines.list).singleElement().satisfies(event -> {
            assertThat(event.getLevel().toString()).isEqualTo("WARN");
            assertThat(event.getFormattedMessage()).contains("127.0.0.2", "listen.trustedProxies", "127.0.0.1/32")
                    .doesNotContain("192.0.2.66");
        });
    }

    @Test
    void anAddressThatIsNotTrustedIsServedAsItselfWithoutAHeader() throws Exception {
        serve(LOOPBACK_BALANCER);
        assertServedAsItselfWithoutAHeader("127.0.0.2");
    }

    @Test
    void withNoBalancerTrustedAHeaderIsJustABadRequestAndNeverAnAddress() throws Exception {
        serve(TrustedProxies.NONE);
        String answer = exchange("127.0.0.1", ("PROXY TCP4 192.0.2.7 127.0.0.1 40000 " + server.port() + "\r\n" + GET)
                .getBytes(StandardCharsets.US_ASCII));
        assertThat(answer).startsWith("HTTP/1.1 400");
        assertThat(refusalLines.list).isEmpty();
        assertThat(accessLines.list).extracting(ILoggingEvent::getFormattedMessage).noneMatch(line -> line.contains("192.0.2.7"));
    }

    @Test
    void connectionsAreCountedUnderTheAnnouncedClientNotUnderTheBalancer() throws Exception {
        serve(LOOPBACK_BALANCER);
        InetAddress client = InetAddress.getByName("192.0.2.8");
        try (Socket held = connect("127.0.0.1")) {
            held.getOutputStream().write(("PROXY TCP4 192.0.2.8 127.0.0.1 40000 " + server.port() + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            held.getOutputStream().flush();
            await().atMost(Duration.ofSeconds(10)).until(() -> server.connectionsFrom(client) == 1);
            assertThat(server.connectionsFrom(InetAddress.getByName("127.0.0.1"))).as("the balancer itself").isZero();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> server.connectionsFrom(client) == 0);
    }

    @Test
    void aTrustedBalancersOwnConnectionsAreNotCappedAsOneClient() throws Exception {
        serve(LOOPBACK_BALANCER);
        byte[] halfARequest = "GET /v2/ HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
        try (Socket balancer = connect("127.0.0.1"); Socket other = connect("127.0.0.2")) {
            balancer.getOutputStream().write(halfARequest);
            balancer.getOutputStream().flush();
            other.getOutputStream().write(halfARequest);
            other.getOutputStream().flush();
            // Both are open and past detection once the untrusted one is counted (same acceptor, in order).
            await().atMost(Duration.ofSeconds(10)).until(() -> server.connectionsFrom(InetAddress.getByName("127.0.0.2")) == 1);
            assertThat(server.connectionsFrom(InetAddress.getByName("127.0.0.1"))).isZero();
        }
    }

    /** A plain request from {@code from}: answered, and logged as coming from {@code from}. */
    private void assertServedAsItselfWithoutAHeader(String from) throws IOException {
        assertThat(exchange(from, GET.getBytes(StandardCharsets.US_ASCII))).startsWith("HTTP/1.1 200");
        assertThat(loggedClients()).containsExactly(from);
    }

    private List<String> loggedClients() {
        await().atMost(Duration.ofSeconds(10)).until(() -> !accessLines.list.isEmpty());
        ObjectMapper json = new ObjectMapper();
        return accessLines.list.stream().map(e -> {
            try {
                return json.readTree(e.getFormattedMessage()).get("client").asText();
            } catch (IOException x) {
                throw new AssertionError(x);
            }
        }).toList();
    }

    private Socket connect(String from) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
        socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** Sends {@code bytes} from a socket bound to {@code from}; what came back before the server closed. */
    private String exchange(String from, byte[] bytes) throws IOException {
        try (Socket socket = connect(from)) {
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
            return readAll(socket.getInputStream());
        }
    }

    private String exchangeInTwo(String from, byte[] bytes, int first) throws Exception {
        try (Socket socket = connect(from)) {
            socket.setTcpNoDelay(true);
            socket.getOutputStream().write(bytes, 0, first);
            socket.getOutputStream().flush();
            Thread.sleep(200); // lets the first piece arrive alone; the answer must not depend on it
            try {
                socket.getOutputStream().write(bytes, first, bytes.length - first);
            } catch (IOException closedAlready) {
                // refused on the first piece: as good
            }
            return readAll(socket.getInputStream());
        }
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            in.transferTo(out);
        } catch (IOException reset) {
            // a refused connection may end with a reset instead of a close
        }
        return out.toString(StandardCharsets.US_ASCII);
    }

    /** A PROXY v2 header: PROXY command, TCP over IPv4, {@code source} to 127.0.0.1. */
    private byte[] v2Header(String source, int sourcePort) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(16 + 12);
        header.put(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
        header.put((byte) 0x21).put((byte) 0x11).putShort((short) 12);
        header.put(InetAddress.getByName(source).getAddress()).put(InetAddress.getByName("127.0.0.1").getAddress());
        header.putShort((short) sourcePort).putShort((short) server.port());
        return header.array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
