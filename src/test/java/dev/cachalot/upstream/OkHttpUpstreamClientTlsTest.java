package dev.cachalot.upstream;

import static dev.cachalot.testing.LoopbackHttpServer.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.cachalot.oci.Digest;
import dev.cachalot.oci.MediaTypes;
import dev.cachalot.rules.AuthMode;
import dev.cachalot.rules.Upstream;
import dev.cachalot.testing.LoopbackHttpServer;
import java.io.FileInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A custom HTTPS upstream with its own CA. The upstream is the JDK's in-test {@code HttpsServer} on 127.0.0.1 with
 * a self-signed certificate made by the JDK's keytool: docker-registry could serve TLS too, but this also has to
 * redirect a blob to plain http, which only a scripted server can.
 */
class OkHttpUpstreamClientTlsTest {

    private static final String REPO = "team/app";
    private static final byte[] MANIFEST = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee\",\"size\":2},\"layers\":[]}").getBytes(StandardCharsets.UTF_8);
    private static final String BLOB_DIGEST = "sha256:" + "b".repeat(64);

    @TempDir
    static Path dir;
    static HttpsServer server;
    static String pem;
    static final AtomicInteger storageLoops = new AtomicInteger();
    static final List<String> tokenRequests = new CopyOnWriteArrayList<>();

    private final List<Duration> waits = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startHttpsUpstream() throws Exception {
        Path ks = dir.resolve("upstream.p12");
        keytool("-genkeypair", "-alias", "upstream", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
                "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-keystore", ks.toString(), "-storetype", "PKCS12",
                "-storepass", "changeit", "-keypass", "changeit");
        Path pemFile = dir.resolve("upstream.pem");
        keytool("-exportcert", "-rfc", "-alias", "upstream", "-keystore", ks.toString(), "-storepass", "changeit",
                "-file", pemFile.toString());
        pem = Files.readString(pemFile);

        KeyStore store = KeyStore.getInstance("PKCS12");
        try (var in = new FileInputStream(ks.toFile())) {
            store.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, "changeit".toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);

        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/v2/" + REPO + "/manifests/v1", ex -> {
            try (ex) {
                send(ex, 200, MediaTypes.OCI_MANIFEST, MANIFEST);
            }
        });
        server.createContext("/v2/" + REPO + "/blobs/" + BLOB_DIGEST, ex -> {
            try (ex) {
                ex.getResponseHeaders().set("Location", "http://127.0.0.1:9/blob"); // never contacted
                send(ex, 307, null, new byte[0]);
            }
        });
        server.createContext("/storage/blob", ex -> {
            try (ex) {
                send(ex, 200, "application/octet-stream", "blob over tls");
            }
        });
        server.createContext("/storage/loop", ex -> {
            try (ex) {
                storageLoops.incrementAndGet();
                ex.getResponseHeaders().set("Location", "/storage/loop");
                send(ex, 307, null, new byte[0]);
            }
        });
        server.createContext("/token", ex -> {
            try (ex) {
                tokenRequests.add(ex.getRequestURI().getRawQuery());
                send(ex, 200, "application/json", "{\"token\":\"from-tls-realm\"}");
            }
        });
        server.start();
    }

    private static String httpsBase() {
        return "https://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.stop(0);
    }

    private static void keytool(String... args) throws Exception {
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        List<String> cmd = new java.util.ArrayList<>(List.of(keytool));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IllegalStateException("keytool failed: " + out);
    }

    private OkHttpUpstreamClient client() {
        return new OkHttpUpstreamClient(UpstreamCredentials.NONE,
                UpstreamHttpSettings.defaults().withRetryPolicy(RetryPolicy.defaults().withSleeper(waits::add)));
    }

    /** A client that trusts the test CA as if it were one of the platform's. */
    private OkHttpUpstreamClient clientTrustingTheTestCaByDefault() {
        var settings = UpstreamHttpSettings.defaults().withRetryPolicy(RetryPolicy.defaults().withSleeper(waits::add));
        return new OkHttpUpstreamClient(UpstreamCredentials.NONE, settings, java.time.Clock.systemUTC(),
                new RateLimits(java.time.Clock.systemUTC()), UpstreamTrust.withExtraCaPem(pem));
    }

    private static UpstreamRequest plainHttp(LoopbackHttpServer upstream) {
        String authority = "127.0.0.1:" + upstream.port();
        return new UpstreamRequest(new Upstream("plain", authority, URI.create(upstream.base()), AuthMode.BOTH, null, false),
                REPO, null);
    }

    private static void assertUpstreamFailure(ThrowingCallable call, UpstreamException.Kind kind, String text) {
        assertThatThrownBy(call).isInstanceOfSatisfying(UpstreamException.class, e -> {
            assertThat(e.kind()).isEqualTo(kind);
            assertThat(e.getMessage()).contains(text);
        });
    }

    /** A plain-HTTP upstream that redirects a GET of blob {@code digest} to {@code path} on the https server. */
    private static LoopbackHttpServer redirectingToHttps(Digest digest, String path) {
        return new LoopbackHttpServer().route("/v2/" + REPO + "/blobs/" + digest, ex -> {
            ex.getResponseHeaders().set("Location", httpsBase() + path);
            send(ex, 307, null, new byte[0]);
        });
    }

    private static String read(UpstreamBlob blob) throws java.io.IOException {
        var out = new java.io.ByteArrayOutputStream();
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(64);
        for (int n; (n = blob.body().read(buffer.clear())) >= 0; ) {
            out.write(buffer.array(), 0, n);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static UpstreamRequest request(String caPem) {
        String authority = "127.0.0.1:" + server.getAddress().getPort();
        return new UpstreamRequest(new Upstream("custom", authority, URI.create("https://" + authority), AuthMode.BOTH,
                caPem, false), REPO, null);
    }

    @Test
    void trustsTheUpstreamsOwnCaCertificate() {
        try (var client = client()) {
            assertThat(client.fetchManifest(request(pem), "v1", MediaTypes.DEFAULT_ACCEPT).body()).isEqualTo(MANIFEST);
            // the derived client shares the shared one's pool and dispatcher
            assertThat(client.derivedClient(pem)).get().satisfies(derived -> {
                assertThat(derived.connectionPool()).isSameAs(client.sharedClient().connectionPool());
                assertThat(derived.dispatcher()).isSameAs(client.sharedClient().dispatcher());
            });
        }
    }

    @Test
    void refusesAnUnknownCertificateWithoutRetrying() {
        try (var client = client()) {
            assertUpstreamFailure(() -> client.fetchManifest(request(null), "v1", MediaTypes.DEFAULT_ACCEPT),
                    UpstreamException.Kind.UNAVAILABLE, "TLS");
        }
        assertThat(waits).isEmpty();
    }

    @Test
    void refusesABlobRedirectFromHttpsToHttp() {
        try (var client = client()) {
            assertUpstreamFailure(() -> client.openBlob(request(pem), Digest.parse(BLOB_DIGEST)),
                    UpstreamException.Kind.PROTOCOL, "https to http");
        }
        assertThat(waits).isEmpty();
    }

    @Test
    void aPlainHttpUpstreamNeedsNoTlsClientAndAnHttpsOneGetsIt() {
        try (var upstream = new LoopbackHttpServer().route("/v2/" + REPO + "/manifests/v1",
                ex -> send(ex, 200, MediaTypes.OCI_MANIFEST, MANIFEST)); var client = client()) {
            assertThat(client.fetchManifest(plainHttp(upstream), "v1", MediaTypes.DEFAULT_ACCEPT).body()).isEqualTo(MANIFEST);
            assertThat(client.builtTlsClient()).isEmpty();

            assertThatThrownBy(() -> client.fetchManifest(request(null), "v1", MediaTypes.DEFAULT_ACCEPT))
                    .hasMessageContaining("TLS failure"); // the platform does not know the test CA
            assertThat(client.builtTlsClient()).get().satisfies(tls -> {
                assertThat(tls.connectionPool()).isSameAs(client.sharedClient().connectionPool());
                assertThat(tls.dispatcher()).isSameAs(client.sharedClient().dispatcher());
            });
        }
    }

    @Test
    void aPlainHttpUpstreamMayRedirectABlobToHttpsStorage() throws Exception {
        Digest digest = Digest.parse("sha256:" + "c".repeat(64));
        try (var upstream = redirectingToHttps(digest, "/storage/blob"); var client = clientTrustingTheTestCaByDefault();
                UpstreamBlob blob = client.openBlob(plainHttp(upstream), digest)) {
            assertThat(read(blob)).isEqualTo("blob over tls");
        }
    }

    @Test
    void aRedirectToHttpsIsCheckedAgainstThePlatformsTrust() {
        Digest digest = Digest.parse("sha256:" + "d".repeat(64));
        try (var upstream = redirectingToHttps(digest, "/storage/blob"); var client = client()) {
            assertUpstreamFailure(() -> client.openBlob(plainHttp(upstream), digest),
                    UpstreamException.Kind.UNAVAILABLE, "TLS failure");
        }
        assertThat(waits).isEmpty();
    }

    @Test
    void theRedirectBoundCountsTheHopsBeforeTheSwitchToTls() {
        Digest digest = Digest.parse("sha256:" + "e".repeat(64));
        storageLoops.set(0);
        try (var upstream = redirectingToHttps(digest, "/storage/loop"); var client = clientTrustingTheTestCaByDefault()) {
            assertUpstreamFailure(() -> client.openBlob(plainHttp(upstream), digest),
                    UpstreamException.Kind.PROTOCOL, "more than " + ScopedRedirectInterceptor.MAX_HOPS + " redirects");
        }
        // one hop to https, then four within it: five in all
        assertThat(storageLoops).hasValue(ScopedRedirectInterceptor.MAX_HOPS);
    }

    @Test
    void aPlainHttpUpstreamsTokenRealmMayBeHttps() {
        try (var upstream = new LoopbackHttpServer().route("/v2/" + REPO + "/manifests/v1", ex -> {
            if ("Bearer from-tls-realm".equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                send(ex, 200, MediaTypes.OCI_MANIFEST, MANIFEST);
            } else {
                ex.getResponseHeaders().set("WWW-Authenticate",
                        "Bearer realm=\"" + httpsBase() + "/token\",service=\"plain\"");
                send(ex, 401, "application/json", "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}");
            }
        }); var client = clientTrustingTheTestCaByDefault()) {
            assertThat(client.fetchManifest(plainHttp(upstream), "v1", MediaTypes.DEFAULT_ACCEPT).body()).isEqualTo(MANIFEST);
        }
        assertThat(tokenRequests).anySatisfy(q -> assertThat(q).contains("service=plain"));
    }
}
