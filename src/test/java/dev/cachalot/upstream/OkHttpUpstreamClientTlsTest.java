package dev.cachalot.upstream;

import static dev.cachalot.testing.LoopbackHttpServer.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.cachalot.oci.MediaTypes;
import dev.cachalot.rules.AuthMode;
import dev.cachalot.rules.Upstream;
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
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
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
        server.start();
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
            assertThatThrownBy(() -> client.fetchManifest(request(null), "v1", MediaTypes.DEFAULT_ACCEPT))
                    .isInstanceOfSatisfying(UpstreamException.class, e -> {
                        assertThat(e.kind()).isEqualTo(UpstreamException.Kind.UNAVAILABLE);
                        assertThat(e.getMessage()).contains("TLS");
                    });
        }
        assertThat(waits).isEmpty();
    }

    @Test
    void refusesABlobRedirectFromHttpsToHttp() {
        try (var client = client()) {
            assertThatThrownBy(() -> client.openBlob(request(pem), dev.cachalot.oci.Digest.parse(BLOB_DIGEST)))
                    .isInstanceOfSatisfying(UpstreamException.class, e -> {
                        assertThat(e.kind()).isEqualTo(UpstreamException.Kind.PROTOCOL);
                        assertThat(e.getMessage()).contains("https to http");
                    });
        }
        assertThat(waits).isEmpty();
    }
}
