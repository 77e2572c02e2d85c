package dev.cachalot.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cachalot.credentials.Keyring;
import dev.cachalot.credentials.PassphrasePrompt;
import dev.cachalot.credentials.VaultOptions;
import dev.cachalot.storage.PostgresSettings;
import dev.cachalot.storage.PostgresTestDatabases;
import dev.cachalot.storage.S3Settings;
import dev.cachalot.testing.CountingProxy;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.Fault;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.S3ProxyServer;
import dev.cachalot.testing.TestBlob;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two engines with data folders of their own on one PostgreSQL database and one S3 bucket (S3Proxy), pulling through
 * from a real docker-registry behind a counting proxy: cold clients of one blob spread over both engines cause one
 * upstream download between them, and when the downloading engine loses its fill lease (its database session is
 * killed, as when the node dies), the other engine's waiting clients get the blob all the same.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OneUpstreamDownloadPerClusterTest {
    private static final VaultOptions NO_PASSPHRASE =
            new VaultOptions(name -> null, Keyring.NONE, PassphrasePrompt.NONE, VaultOptions.MIN_ITERATIONS);

    @TempDir
    static Path temp;

    private S3ProxyServer s3;
    private DockerRegistryFixture registry;
    private CountingProxy upstream;
    private PostgresSettings database;
    private Engine nodeA;
    private Engine nodeB;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ExecutorService clients = Executors.newCachedThreadPool();

    @BeforeAll
    void startTwoNodes() {
        s3 = S3ProxyServer.start(temp.resolve("s3"));
        registry = DockerRegistryFixture.start();
        upstream = CountingProxy.start(registry.url());
        database = PostgresTestDatabases.migrated();
        S3Settings bucket = s3.settings("cluster/").withPartSize(S3Settings.MIN_PART_SIZE);
        EngineOptions options = EngineOptions.withVault(NO_PASSPHRASE).withSharedDatabase(database).withS3Storage(bucket);
        nodeA = Engine.open(temp.resolve("node-a"), options);
        nodeB = Engine.open(temp.resolve("node-b"), options);
        // Upstreams and rules are in the shared database: made once, both nodes use them.
        nodeA.addUpstream(upstream.hostPort(), upstream.url(), null);
        nodeA.createRule(new RuleDraft("upstream-all", upstream.hostPort() + "/*", "up/*", null, null));
        nodeA.startServer("127.0.0.1:0");
        nodeB.startServer("127.0.0.1:0");
    }

    @AfterAll
    void stop() {
        clients.shutdownNow();
        // The proxy first: a request it still holds back fails at once, and the engines close without waiting for it.
        if (upstream != null) upstream.close();
        if (nodeA != null) nodeA.close();
        if (nodeB != null) nodeB.close();
        if (registry != null) registry.close();
        if (s3 != null) s3.close();
    }

    @Test
    void eightColdClientsOnTwoNodesCauseOneUpstreamDownload() throws Exception {
        TestBlob layer = pushImageWithBigLayer("team/app", 21, 32);
        // Holding the download back a little lets every client join it; the count below holds however they arrive.
        upstream.inject(Fault.delay(Duration.ofSeconds(3)).onlyFor("GET", "/v2/.+/blobs/" + layer.digest()), 1);

        CountDownLatch go = new CountDownLatch(1);
        List<Future<String>> pulls = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Engine node = i % 2 == 0 ? nodeA : nodeB;
            pulls.add(clients.submit(() -> {
                go.await();
                return pulledDigest(node, "up/team/app", layer.digest());
            }));
        }
        go.countDown();
        for (Future<String> pull : pulls) {
            assertThat(pull.get(5, TimeUnit.MINUTES)).isEqualTo(layer.digest());
        }

        assertThat(registryBlobGets(layer.digest())).as("blob GETs at the upstream registry").isEqualTo(1);
        assertThat(storedObjectDigest(layer)).isEqualTo(layer.digest());
    }

    @Test
    void whenTheDownloadingNodeLosesItsLeaseTheOtherNodeFillsTheBlob() throws Exception {
        TestBlob layer = pushImageWithBigLayer("team/takeover", 22, 8);
        String blobPath = "/v2/team/takeover/blobs/" + layer.digest();
        // The lead node's download never gets going: it stands for a node that stopped mid-fill.
        upstream.inject(Fault.delay(Duration.ofMinutes(10)).onlyFor("GET", blobPath), 1);

        clients.submit(() -> pulledDigest(nodeA, "up/team/takeover", layer.digest()));
        await().atMost(Duration.ofMinutes(1)).until(() -> upstream.count("GET", blobPath) == 1);
        List<Future<String>> waiting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiting.add(clients.submit(() -> pulledDigest(nodeB, "up/team/takeover", layer.digest())));
        }
        // Node B's fill is in flight: waiting for node A's lease, as node A has not stored the blob.
        await().atMost(Duration.ofMinutes(1)).until(() -> nodeB.downloadsInFlight() == 1);
        assertThat(upstream.count("GET", blobPath)).as("node B does not ask the upstream while node A holds the lease").isEqualTo(1);

        assertThat(terminateLeaseHolders()).as("sessions holding a fill lease").isEqualTo(1);

        for (Future<String> pull : waiting) {
            assertThat(pull.get(5, TimeUnit.MINUTES)).isEqualTo(layer.digest());
        }
        assertThat(upstream.forwarded("GET", blobPath)).as("node B's download reached the registry; node A's is still held").isEqualTo(1);
        assertThat(storedObjectDigest(layer)).isEqualTo(layer.digest());
    }

    private TestBlob pushImageWithBigLayer(String repository, long seed, int mib) {
        TestImage image = new TestImages(seed).ociImageWithBigLayer(temp.resolve("images"), mib);
        new RegistryPusher(registry.url()).push(repository, "1", image);
        return image.layers().get(0);
    }

    /** Pulls a blob through {@code node} and returns the digest of the bytes received. */
    private String pulledDigest(Engine node, String repository, String digest) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + node.port() + "/v2/" + repository + "/blobs/" + digest);
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (InputStream body = response.body()) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = body.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
            }
        }
        return "sha256:" + HexFormat.of().formatHex(sha.digest());
    }

    private long registryBlobGets(String digest) {
        return registry.requestLog().stream()
                .filter(e -> e.method().equals("GET") && e.path().endsWith("/blobs/" + digest)).count();
    }

    /** The digest of the object stored at the blob's content address in the bucket (S3Proxy keeps it as a file). */
    private String storedObjectDigest(TestBlob blob) throws Exception {
        Path object = s3.bucketFolder().resolve("cluster/blobs/sha256/" + blob.hex());
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(object)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
            }
        }
        return "sha256:" + HexFormat.of().formatHex(sha.digest());
    }

    /** What the server does when a node dies or is cut off: ends the sessions holding advisory locks in this database. */
    private int terminateLeaseHolders() throws Exception {
        try (Connection c = DriverManager.getConnection(database.url(), database.user(), database.password());
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
                     + " AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")) {
            int terminated = 0;
            while (rs.next()) {
                if (rs.getBoolean(1)) terminated++;
            }
            return terminated;
        }
    }
}
