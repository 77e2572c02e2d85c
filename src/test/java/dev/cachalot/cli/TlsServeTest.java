package dev.cachalot.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.Ports;
import dev.cachalot.testing.Processes;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.Sha256;
import dev.cachalot.testing.Skopeo;
import dev.cachalot.testing.TestBlob;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cachalot tls init} and {@code cachalot serve --tls-cert --tls-key} as a user runs them: the certificates made
 * by the CLI, {@code serve} in a child JVM, skopeo pulling through it with certificate verification on (trusting only
 * the CA the CLI wrote), and a renewed certificate taken up by new connections without a restart.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsServeTest {
    private static final Duration START_LIMIT = Duration.ofSeconds(90);

    @TempDir
    static Path temp;

    private DockerRegistryFixture upstream;
    private Cli cli;
    private Path tls;
    private Process serve;
    private Path serveOut;
    private int port;

    @BeforeAll
    void startUpstream() {
        upstream = DockerRegistryFixture.start();
        cli = new Cli(temp.resolve("data"));
        tls = temp.resolve("tls");
    }

    @AfterAll
    void stop() {
        if (serve != null) Processes.stop(serve, Duration.ofSeconds(30));
        if (upstream != null) upstream.close();
    }

    @Test
    void skopeoPullsOverVerifiedTlsAndARenewedCertificateIsServedWithoutARestart() throws Exception {
        Cli.Run init = cli.run("tls", "init", "--host", "127.0.0.1", "--host", "localhost", "--out", tls.toString()).succeeded();
        assertThat(init.out()).contains("docker:", "containerd:", "podman:", "skopeo:", tls.resolve("ca.crt").toAbsolutePath().toString());
        X509Certificate first = certificate(tls.resolve("server.crt"));
        assertThat(first.getSubjectAlternativeNames().stream().map(name -> String.valueOf(name.get(1))).toList())
                .contains("127.0.0.1", "localhost");
        assertThat(Files.readString(tls.resolve("server.key"))).startsWith("-----BEGIN PRIVATE KEY-----");

        TestImage image = new TestImages(21).dockerImage();
        new RegistryPusher(upstream.url()).push("team/app", "1.0", image);
        cli.run("upstream", "add", "--login-server", upstream.hostPort(), "--endpoint", upstream.url()).succeeded();
        cli.run("rules", "create", "--name", "team-cache", "--source", upstream.hostPort() + "/team/*", "--target", "team/*").succeeded();
        startServe();

        // skopeo takes every *.crt in the folder as a CA, and a *.key as a client key: give it the CA alone.
        Path trusted = Files.createDirectories(temp.resolve("skopeo-certs"));
        Files.copy(tls.resolve("ca.crt"), trusted.resolve("ca.crt"));
        Path copy = temp.resolve("pulled");
        Files.createDirectories(copy);
        Skopeo.Result pulled = new Skopeo().run(Duration.ofMinutes(5), List.of("copy", "--src-no-creds",
                "--src-cert-dir", trusted.toString(), "docker://127.0.0.1:" + port + "/team/app:1.0", "dir:" + copy));
        assertThat(pulled.exitCode()).as("skopeo over TLS: %s", pulled.stderr()).isZero();
        Skopeo.CopiedImage image1 = Skopeo.read(copy).verified();
        assertThat(image1.manifestDigest()).isEqualTo(image.digest());
        assertThat(image1.blobDigests()).containsExactlyInAnyOrderElementsOf(image.blobs().stream().map(TestBlob::digest).toList());

        HttpResponse<String> overHttp2 = httpClient(tls.resolve("ca.crt")).send(
                HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/v2/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(overHttp2.statusCode()).isEqualTo(200);
        assertThat(overHttp2.version()).as("ALPN offers h2").isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(servedSerial(tls.resolve("ca.crt"))).isEqualTo(first.getSerialNumber());
        TestBlob layer = image.layers().get(0);
        HttpResponse<byte[]> blobOverHttp2 = httpClient(tls.resolve("ca.crt")).send(HttpRequest.newBuilder(URI.create(
                "https://127.0.0.1:" + port + "/v2/team/app/blobs/" + layer.digest())).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(blobOverHttp2.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(blobOverHttp2.statusCode()).isEqualTo(200);
        assertThat(Sha256.of(blobOverHttp2.body())).isEqualTo(layer.digest());

        // Renewal as a tool such as certbot does it: a new pair written elsewhere, then moved over the served files.
        Path renewed = temp.resolve("renewed");
        cli.run("tls", "init", "--host", "127.0.0.1", "--out", renewed.toString()).succeeded();
        X509Certificate second = certificate(renewed.resolve("server.crt"));
        assertThat(second.getSerialNumber()).isNotEqualTo(first.getSerialNumber());
        Files.move(renewed.resolve("server.key"), tls.resolve("server.key"), StandardCopyOption.REPLACE_EXISTING);
        Files.move(renewed.resolve("server.crt"), tls.resolve("server.crt"), StandardCopyOption.REPLACE_EXISTING);

        await("the renewed certificate on a new connection").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> assertThat(servedSerial(tls.resolve("ca.crt"), renewed.resolve("ca.crt"))).isEqualTo(second.getSerialNumber()));
        assertThat(serve.isAlive()).as("no restart").isTrue();
        assertThat(httpClient(renewed.resolve("ca.crt")).send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port
                + "/v2/team/app/manifests/1.0")).header("Accept", TestImages.DOCKER_MANIFEST).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }

    @Test
    void serveRefusesACertificateWithoutItsKey() {
        Cli.Run run = Cli.runRaw("--data", temp.resolve("data-no-key").toString(), "serve", "--listen", "127.0.0.1:0",
                "--tls-cert", temp.resolve("whatever.crt").toString());
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("--tls-cert and --tls-key go together");
    }

    @Test
    void serveWithACertificateFileThatIsNotThereExitsWithOneLineNamingIt() {
        Path missing = temp.resolve("nowhere/server.crt");
        Cli.Run run = Cli.runRaw("--data", temp.resolve("data-missing").toString(), "serve", "--listen", "127.0.0.1:0",
                "--tls-cert", missing.toString(), "--tls-key", temp.resolve("nowhere/server.key").toString());

        assertThat(run.failedWithOneLine()).contains("the certificate file " + missing + " does not exist");
    }

    private void startServe() throws IOException {
        port = Ports.free();
        serveOut = temp.resolve("serve.out");
        serve = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), "dev.cachalot.Main", "--data", temp.resolve("data").toString(),
                "serve", "--listen", "127.0.0.1:" + port, "--tls-cert", tls.resolve("server.crt").toString(),
                "--tls-key", tls.resolve("server.key").toString())
                .redirectErrorStream(true).redirectOutput(serveOut.toFile()).start();
        await("serve on https").atMost(START_LIMIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (!serve.isAlive()) {
                throw new AssertionError("serve exited with " + serve.exitValue() + ":\n" + Files.readString(serveOut));
            }
            return Files.readString(serveOut).contains("Cachalot serving on https://127.0.0.1:" + port);
        });
    }

    /** The serial number of the certificate a fresh TLS connection is shown, trusting only {@code cas}. */
    private BigInteger servedSerial(Path... cas) throws Exception {
        try (SSLSocket socket = (SSLSocket) sslContext(cas).getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.startHandshake();
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }

    private static HttpClient httpClient(Path ca) throws Exception {
        return HttpClient.newBuilder().sslContext(sslContext(ca)).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private static SSLContext sslContext(Path... cas) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        for (int i = 0; i < cas.length; i++) {
            trust.setCertificateEntry("ca" + i, certificate(cas[i]));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    private static X509Certificate certificate(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            Certificate first = CertificateFactory.getInstance("X.509").generateCertificates(in).iterator().next();
            return (X509Certificate) first;
        }
    }
}
