package dev.cachalot.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cachalot.security.AccessToken;
import dev.cachalot.security.JdbcUserStore;
import dev.cachalot.security.TokenSecrets;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.storage.Database;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.Ports;
import dev.cachalot.testing.PrivateContainerd;
import dev.cachalot.testing.PrivateDaemons;
import dev.cachalot.testing.Processes;
import dev.cachalot.testing.Skopeo;
import dev.cachalot.testing.TestBlob;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Server mode as a team would run it: {@code cachalot serve --auth required} over TLS from {@code tls init}, users and
 * tokens added with the CLI while it serves, and real clients signing in: skopeo ({@code --creds}, {@code --cert-dir}),
 * containerd's {@code ctr --user} (the POST password grant) and podman. Every check reads what the client or the
 * access log (JSON) says; at the end, no password or token appears in the logs, the data folder or the metrics.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServerModeTest {
    private static final Duration ACCESS_LOG_LIMIT = Duration.ofSeconds(30);
    private static final Duration START_LIMIT = Duration.ofSeconds(90);
    private static final String ALICE_PASSWORD = "alice-Secret-1";
    private static final String BOB_PASSWORD = "bob-Secret-22";
    private static final String CAROL_PASSWORD = "carol-Secret-333";
    private static final String WRONG_PASSWORD = "not-bobs-Secret";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path temp;

    private DockerRegistryFixture source;
    private TestImage image;
    private Cli cli;
    private Path data;
    private Path tls;
    private Path trusted;
    private Process serve;
    private Path serveOut;
    private Path serveErr;
    private int port;
    /** Everything that must never show up anywhere in clear. */
    private final List<String> secrets = new ArrayList<>(List.of(ALICE_PASSWORD, BOB_PASSWORD, CAROL_PASSWORD, WRONG_PASSWORD));

    @BeforeAll
    void start() throws Exception {
        source = DockerRegistryFixture.start();
        image = new TestImages(41).dockerImage();
        source.pusher().push("src/app", "1.0", image);
        data = temp.resolve("data");
        cli = new Cli(data);
        tls = temp.resolve("tls");
        cli.run("tls", "init", "--host", "127.0.0.1", "--out", tls.toString()).succeeded();
        // skopeo and podman take every *.crt in the folder as a CA, and a *.key as a client key: give them the CA alone.
        trusted = Files.createDirectories(temp.resolve("trusted"));
        Files.copy(tls.resolve("ca.crt"), trusted.resolve("ca.crt"));
        addUser("alice", ALICE_PASSWORD, "--role", "push", "--repositories", "team/*");
        addUser("bob", BOB_PASSWORD, "--role", "pull");
        startServe();
    }

    @AfterAll
    void stop() {
        if (serve != null) Processes.stop(serve, Duration.ofSeconds(30));
        if (source != null) source.close();
    }

    @Test
    @Order(1)
    void skopeoPushesAsAPushUserAndPullsAsAPullUser() throws Exception {
        Skopeo.Result pushed = skopeo("copy", "--src-tls-verify=false", "--src-no-creds", "docker://" + source.hostPort() + "/src/app:1.0",
                "--dest-creds", "alice:" + ALICE_PASSWORD, "--dest-cert-dir", trusted.toString(), target("team/app:1.0"));
        assertThat(pushed.exitCode()).as("push as alice: %s", pushed.stderr()).isZero();

        Path copy = Files.createDirectories(temp.resolve("pulled-by-bob"));
        Skopeo.Result pulled = skopeo("copy", "--src-creds", "bob:" + BOB_PASSWORD, "--src-cert-dir", trusted.toString(),
                target("team/app:1.0"), "dir:" + copy);
        assertThat(pulled.exitCode()).as("pull as bob: %s", pulled.stderr()).isZero();
        Skopeo.CopiedImage got = Skopeo.read(copy).verified();
        assertThat(got.manifestDigest()).isEqualTo(image.digest());
        assertThat(got.blobDigests()).containsExactlyInAnyOrderElementsOf(image.blobs().stream().map(TestBlob::digest).toList());

        // the access log line is written once the answer is out, so it may trail the client by a moment
        await("the access log line").atMost(ACCESS_LOG_LIMIT).untilAsserted(() -> assertThat(accessLog()).anySatisfy(line -> {
            assertThat(line.get("user").asText()).isEqualTo("alice");
            assertThat(line.get("method").asText()).isEqualTo("PUT");
            assertThat(line.get("path").asText()).isEqualTo("/v2/team/app/manifests/1.0");
            assertThat(line.get("status").asInt()).isEqualTo(201);
        }).anySatisfy(line -> {
            assertThat(line.get("user").asText()).isEqualTo("bob");
            assertThat(line.get("path").asText()).isEqualTo("/v2/team/app/manifests/1.0");
            assertThat(line.get("status").asInt()).isEqualTo(200);
            assertThat(line.get("source").asText()).isEqualTo("local");
        }));
    }

    @Test
    @Order(2)
    void aPullUserWhoPushesIsDenied403AndAPushUserOutsideTheirNamespaceToo() throws Exception {
        Skopeo.Result bob = skopeo("copy", "--src-tls-verify=false", "--src-no-creds", "docker://" + source.hostPort() + "/src/app:1.0",
                "--dest-creds", "bob:" + BOB_PASSWORD, "--dest-cert-dir", trusted.toString(), target("team/bobs:1.0"));
        assertThat(bob.exitCode()).isNotZero();
        assertThat(bob.stderr()).containsIgnoringCase("denied");
        // the access log line is written once the answer is out, so it may trail the client by a moment
        await("the access log line").atMost(ACCESS_LOG_LIMIT).untilAsserted(() -> assertThat(accessLog()).anySatisfy(line -> {
            assertThat(line.get("user").asText()).isEqualTo("bob");
            assertThat(line.get("path").asText()).startsWith("/v2/team/bobs/");
            assertThat(line.get("status").asInt()).isEqualTo(403);
        }));

        HttpResponse<String> outside = https("PUT", "/v2/other/app/manifests/1.0", basic("alice", ALICE_PASSWORD));
        assertThat(outside.statusCode()).isEqualTo(403);
        assertThat(outside.body()).contains("\"code\":\"DENIED\"");
    }

    @Test
    @Order(3)
    void aWrongPasswordIs401AndAnAnonymousRequestGetsTheChallengeForItsScope() throws Exception {
        Skopeo.Result wrong = skopeo("inspect", "--creds", "bob:" + WRONG_PASSWORD, "--cert-dir", trusted.toString(), target("team/app:1.0"));
        assertThat(wrong.exitCode()).isNotZero();
        // the access log line is written once the answer is out, so it may trail the client by a moment
        await("the access log line").atMost(ACCESS_LOG_LIMIT).untilAsserted(() -> assertThat(accessLog()).anySatisfy(line -> {
            assertThat(line.get("path").asText()).isEqualTo("/cachalot/token");
            assertThat(line.get("status").asInt()).isEqualTo(401);
        }));

        HttpResponse<String> basicWrong = https("GET", "/v2/", basic("bob", WRONG_PASSWORD));
        assertThat(basicWrong.statusCode()).isEqualTo(401);
        assertThat(basicWrong.body()).contains("\"code\":\"UNAUTHORIZED\"");

        HttpResponse<String> anonymous = https("GET", "/v2/team/app/manifests/1.0", null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"https://127.0.0.1:" + port
                + "/cachalot/token\",service=\"cachalot\",scope=\"repository:team/app:pull\"");
        assertThat(https("GET", "/v2/", null).headers().firstValue("WWW-Authenticate"))
                .hasValue("Bearer realm=\"https://127.0.0.1:" + port + "/cachalot/token\",service=\"cachalot\"");
        assertThat(https("DELETE", "/v2/team/app/manifests/" + image.digest(), null).statusCode()).isEqualTo(401);
        assertThat(https("GET", "/healthz", null).statusCode()).isEqualTo(200);
        assertThat(https("GET", "/readyz", null).statusCode()).isEqualTo(200);
        assertThat(Files.readString(serveErr)).contains("Failed login as 'bob' from 127.0.0.1");
    }

    @Test
    @Order(4)
    void ctrSignsInWithThePasswordGrantAndPulls() throws Exception {
        Path hosts = Files.createDirectories(temp.resolve("certs.d").resolve("127.0.0.1:" + port));
        Files.writeString(hosts.resolve("hosts.toml"), """
                server = "https://127.0.0.1:%d"
                [host."https://127.0.0.1:%d"]
                  capabilities = ["pull", "resolve"]
                  ca = "%s"
                """.formatted(port, port, tls.resolve("ca.crt")));
        try (PrivateContainerd containerd = PrivateContainerd.start(temp.resolve("containerd"))) {
            PrivateDaemons.Result pull = containerd.ctr(Duration.ofMinutes(2), "images", "pull", "--snapshotter", "native",
                    "--user", "bob:" + BOB_PASSWORD, "--hosts-dir", temp.resolve("certs.d").toString(), "127.0.0.1:" + port + "/team/app:1.0");
            assertThat(pull.exitCode()).as("ctr pull: %s", pull.output()).isZero();
            assertThat(containerd.ctr(Duration.ofSeconds(30), "images", "ls", "-q").output()).contains("127.0.0.1:" + port + "/team/app:1.0");
        }
        // the access log line is written once the answer is out, so it may trail the client by a moment
        await("the access log line").atMost(ACCESS_LOG_LIMIT).untilAsserted(() -> assertThat(accessLog()).as("containerd asks with the OAuth2 password grant").anySatisfy(line -> {
            assertThat(line.get("method").asText()).isEqualTo("POST");
            assertThat(line.get("path").asText()).isEqualTo("/cachalot/token");
            assertThat(line.get("user").asText()).isEqualTo("bob");
            assertThat(line.get("status").asInt()).isEqualTo(200);
        }));
    }

    @Test
    @Order(5)
    void podmanPullsWithCredentials() throws Exception {
        if (!Files.isExecutable(Path.of("/usr/bin/podman"))) {
            throw new AssertionError("/usr/bin/podman is missing: apt-get install -y --no-install-recommends podman"
                    + " (./scripts/install-test-deps.sh installs it)");
        }
        Path root = Files.createDirectories(temp.resolve("podman"));
        // Its own registries.conf: no search registries, no mirrors; the reference names the engine in full anyway.
        Path conf = Files.writeString(root.resolve("registries.conf"), "unqualified-search-registries = []\n");
        ProcessBuilder builder = new ProcessBuilder("/usr/bin/podman", "--root", root.resolve("root").toString(), "--runroot",
                root.resolve("run").toString(), "--storage-driver", "vfs", "pull", "--creds", "bob:" + BOB_PASSWORD,
                "--cert-dir", trusted.toString(), "127.0.0.1:" + port + "/team/app:1.0")
                .redirectErrorStream(true).redirectOutput(root.resolve("pull.out").toFile());
        builder.environment().put("CONTAINERS_REGISTRIES_CONF", conf.toString());
        Process p = builder.start();
        assertThat(p.waitFor(3, java.util.concurrent.TimeUnit.MINUTES)).as("podman pull finishes").isTrue();
        assertThat(p.exitValue()).as("podman pull: %s", Files.readString(root.resolve("pull.out"))).isZero();
        // the access log line is written once the answer is out, so it may trail the client by a moment
        await("the access log line").atMost(ACCESS_LOG_LIMIT).untilAsserted(() -> assertThat(accessLog()).anySatisfy(line -> {
            assertThat(line.get("user").asText()).isEqualTo("bob");
            assertThat(line.get("path").asText()).isEqualTo("/cachalot/token");
            assertThat(line.get("status").asInt()).isEqualTo(200);
        }));
    }

    @Test
    @Order(6)
    void anAccessTokenWorksInPlaceOfThePasswordUntilRevokedAndAnExpiredOneNever() throws Exception {
        Cli.Run created = cli.run("tokens", "create", "--name", "ci", "--user", "alice", "--expires", "30d");
        assertThat(created.exit()).isZero();
        String secret = created.out().strip();
        secrets.add(secret);
        assertThat(secret).startsWith("cachalot_");
        assertThat(created.err()).contains("cannot be shown again");

        Skopeo.Result inspect = skopeo("inspect", "--creds", "alice:" + secret, "--cert-dir", trusted.toString(), target("team/app:1.0"));
        assertThat(inspect.exitCode()).as("inspect with the token: %s", inspect.stderr()).isZero();
        assertThat(https("GET", "/v2/team/app/manifests/1.0", basic("alice", secret)).statusCode()).isEqualTo(200);
        Cli.Run listed = cli.run("tokens", "list").succeeded();
        assertThat(listed.rows()).singleElement().satisfies(row -> {
            assertThat(row.get(0)).isEqualTo("ci");
            assertThat(row.get(1)).isEqualTo("alice");
            assertThat(row.get(4)).as("last used").isNotEqualTo("never");
        });
        assertThat(listed.out()).doesNotContain(secret);

        cli.run("tokens", "revoke", "ci").succeeded();
        // The very next request, no waiting: the running engine reads the change before answering.
        assertThat(https("GET", "/v2/team/app/manifests/1.0", basic("alice", secret)).statusCode()).isEqualTo(401);
        Skopeo.Result revoked = skopeo("inspect", "--creds", "alice:" + secret, "--cert-dir", trusted.toString(), target("team/app:1.0"));
        assertThat(revoked.exitCode()).isNotZero();

        String expired = TokenSecrets.newSecret();
        secrets.add(expired);
        try (Database database = Database.open(new DataFolder(data))) {
            Instant now = Instant.now();
            new JdbcUserStore(database).add(AccessToken.create("old", "bob", TokenSecrets.hash(expired),
                    now.minus(Duration.ofDays(31)), now.minus(Duration.ofDays(1))));
        }
        assertThat(https("GET", "/v2/team/app/manifests/1.0", basic("bob", expired)).statusCode()).isEqualTo(401);
        Skopeo.Result old = skopeo("inspect", "--creds", "bob:" + expired, "--cert-dir", trusted.toString(), target("team/app:1.0"));
        assertThat(old.exitCode()).isNotZero();
    }

    @Test
    @Order(7)
    void aUserAddedOrRemovedByTheCliCountsOnTheRunningEnginesVeryNextRequest() throws Exception {
        addUser("carol", CAROL_PASSWORD, "--role", "pull", "--repositories", "team/app");
        assertThat(https("GET", "/v2/team/app/manifests/1.0", basic("carol", CAROL_PASSWORD)).statusCode()).isEqualTo(200);
        assertThat(https("GET", "/v2/team/other/manifests/1.0", basic("carol", CAROL_PASSWORD)).statusCode()).isEqualTo(403);
        assertThat(cli.run("users", "list").succeeded().rows()).extracting(row -> row.get(0)).containsExactly("alice", "bob", "carol");

        cli.run("users", "remove", "carol").succeeded();
        assertThat(https("GET", "/v2/team/app/manifests/1.0", basic("carol", CAROL_PASSWORD)).statusCode()).isEqualTo(401);
    }

    @Test
    @Order(100)
    void noPasswordOrTokenAppearsInTheLogsTheDataFolderTheMetricsOrTheLists() throws Exception {
        HttpResponse<String> metrics = https("GET", "/metrics", null);
        assertThat(metrics.statusCode()).as("anonymous on a loopback listener").isEqualTo(200);
        List<String> places = new ArrayList<>();
        places.add("serve stdout:" + Files.readString(serveOut));
        places.add("serve stderr:" + Files.readString(serveErr));
        places.add("metrics:" + metrics.body());
        places.add("users list:" + cli.run("users", "list", "--json").succeeded().out());
        places.add("tokens list:" + cli.run("tokens", "list", "--json").succeeded().out());
        for (String secret : secrets) {
            for (String place : places) {
                assertThat(place).as("%s in %s", secret, place.substring(0, place.indexOf(':'))).doesNotContain(secret);
            }
            byte[] needle = secret.getBytes(StandardCharsets.UTF_8);
            try (Stream<Path> files = Files.walk(data)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    assertThat(indexOf(Files.readAllBytes(file), needle)).as("%s in %s", secret, file).isNegative();
                }
            }
        }
    }

    @Test
    void serveRefusesToListenBeyondLoopbackWithoutAuthenticationInOneLine() throws Exception {
        // Binds nothing: the refusal comes before the listener. No traffic leaves loopback.
        Path out = temp.resolve("refused.out");
        Process p = new ProcessBuilder(java(), "-Xmx128m", "-cp", System.getProperty("java.class.path"), "dev.cachalot.Main",
                "--data", temp.resolve("data-refused").toString(), "serve", "--listen", "0.0.0.0:" + Ports.free(), "--auth", "none")
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(1);
        assertThat(Files.readAllLines(out)).singleElement().satisfies(line -> assertThat(line)
                .startsWith("cachalot: refusing to serve 0.0.0.0:")
                .contains("without authentication", "--auth required", "--allow-anonymous"));
    }

    @Test
    void serveWithAuthenticationAndNoUsersSaysHowToAddOneAndLogsRequestsInPlainLines() throws Exception {
        Path out = temp.resolve("no-users.out");
        int free = Ports.free();
        Process p = new ProcessBuilder(java(), "-Xmx128m", "-cp", System.getProperty("java.class.path"), "dev.cachalot.Main",
                "--data", temp.resolve("data-empty").toString(), "serve", "--listen", "127.0.0.1:" + free, "--auth", "required")
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            await("the no-users line").atMost(START_LIMIT).pollInterval(Duration.ofMillis(200)).until(() -> {
                if (!p.isAlive()) throw new AssertionError("serve exited:\n" + Files.readString(out));
                return Files.readString(out).contains("there are no users yet");
            });
            assertThat(Files.readAllLines(out)).filteredOn(l -> l.contains("no users yet")).singleElement()
                    .satisfies(l -> assertThat(l).contains("cachalot users add NAME --role admin"));

            HttpResponse<String> anonymous = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + free + "/v2/")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode()).isEqualTo(401);
            await("the access log line (plain, serve's default)").atMost(Duration.ofSeconds(30)).until(() -> Files.readAllLines(out)
                    .stream().anyMatch(l -> l.matches("\\S+Z 127\\.0\\.0\\.1 - GET /v2/ 401 \\d+ \\d+ms -")));
        } finally {
            Processes.stop(p, Duration.ofSeconds(30));
        }
    }

    // ------------------------------------------------------------------ helpers

    private void addUser(String name, String password, String... options) {
        InputStream stdin = System.in;
        System.setIn(new ByteArrayInputStream((password + "\n").getBytes(StandardCharsets.UTF_8)));
        try {
            List<String> args = new ArrayList<>(List.of("users", "add", name));
            args.addAll(List.of(options));
            assertThat(cli.run(args.toArray(String[]::new)).succeeded().out()).startsWith("Added user " + name);
        } finally {
            System.setIn(stdin);
        }
    }

    private void startServe() throws IOException {
        port = Ports.free();
        serveOut = temp.resolve("serve.out");
        serveErr = temp.resolve("serve.err");
        serve = new ProcessBuilder(java(), "-Xmx256m", "-cp", System.getProperty("java.class.path"), "dev.cachalot.Main",
                "--data", data.toString(), "serve", "--listen", "127.0.0.1:" + port, "--tls-cert", tls.resolve("server.crt").toString(),
                "--tls-key", tls.resolve("server.key").toString(), "--auth", "required", "--access-log", "json")
                .redirectOutput(serveOut.toFile()).redirectError(serveErr.toFile()).start();
        await("serve on https").atMost(START_LIMIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (!serve.isAlive()) {
                throw new AssertionError("serve exited with " + serve.exitValue() + ":\n" + Files.readString(serveErr));
            }
            return Files.readString(serveOut).contains("Cachalot serving on https://127.0.0.1:" + port);
        });
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private String target(String repositoryAndTag) {
        return "docker://127.0.0.1:" + port + "/" + repositoryAndTag;
    }

    private static Skopeo.Result skopeo(String... args) {
        return new Skopeo().run(Duration.ofMinutes(3), List.of(args));
    }

    /** The access log lines (JSON) serve wrote so far. */
    private List<JsonNode> accessLog() throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(serveOut)) {
            if (line.startsWith("{")) lines.add(JSON.readTree(line));
        }
        return lines;
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> https(String method, String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).header("Accept", TestImages.DOCKER_MANIFEST)
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (authorization != null) request.header("Authorization", authorization);
        return httpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpClient httpClient() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(tls.resolve("ca.crt"))) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        return -1;
    }
}
