package dev.cachalot.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cachalot.testing.CountingProxy;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.Fault;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.RunsAlone;
import dev.cachalot.testing.Skopeo;
import dev.cachalot.testing.TestBlob;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18's cluster checks on the cluster {@code scripts/cluster.sh} starts (three engines as separate processes on
 * S3Proxy and PostgreSQL, behind HAProxy), pulling through from a real docker-registry behind a counting proxy that
 * can hold a download back: cold clients of one big blob cause one upstream download between all nodes; {@code kill -9}
 * of the node leading a fill leaves the other nodes' clients served and the blob stored once; the CLI pointed at one
 * node shows what was pulled through the others. One cluster for the class; the kill test runs last, as it takes a
 * node away. Costs about a minute (the cluster's start, and 256 MiB written to disk, pushed and pulled eight times).
 *
 * <p>Garbage collection while another node serves is checked by {@link ClusterGcTest}, on a cluster with a short grace
 * period.
 */
@RunsAlone
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFillTest {
    private static final Pattern FILLS_IN_FLIGHT = Pattern.compile("(?m)^cachalot_blob_fills_in_flight\\s+(\\S+)$");

    @TempDir
    static Path temp;

    private DockerRegistryFixture registry;
    private CountingProxy upstream;
    private ScriptedCluster cluster;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ExecutorService clients = Executors.newCachedThreadPool();

    @BeforeAll
    void startCluster() throws Exception {
        registry = DockerRegistryFixture.start();
        upstream = CountingProxy.start(registry.url());
        cluster = ScriptedCluster.up(temp.resolve("cluster"), temp, 3);
        cluster.cli(cluster.balancer(), "upstream", "add", "--login-server", upstream.hostPort(), "--endpoint", upstream.url());
        cluster.cli(cluster.balancer(), "rules", "create", "--name", "upstream-all", "--source", upstream.hostPort() + "/*",
                "--target", "up/*");
    }

    @AfterAll
    void stop() throws Exception {
        clients.shutdownNow();
        // The proxy first: a download it still holds back fails at once, and the engines stop without waiting for it.
        if (upstream != null) upstream.close();
        if (cluster != null) cluster.down();
        if (registry != null) registry.close();
    }

    @Test
    @Order(1)
    void eightColdClientsThroughTheBalancerCauseOneUpstreamDownload() throws Exception {
        TestBlob layer = pushImageWithBigLayer("team/big", 1801, 256);
        // Holding the download back a little lets the clients join it; the count below holds however they arrive.
        upstream.inject(Fault.delay(Duration.ofSeconds(3)).onlyFor("GET", "/v2/.+/blobs/" + layer.digest()), 1);

        CountDownLatch go = new CountDownLatch(1);
        List<Future<String>> pulls = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            pulls.add(clients.submit(() -> {
                go.await();
                return pulledDigest(cluster.balancer(), "up/team/big", layer.digest());
            }));
        }
        go.countDown();
        for (Future<String> pull : pulls) {
            assertThat(pull.get(10, TimeUnit.MINUTES)).isEqualTo(layer.digest());
        }

        assertThat(registryBlobGets(layer.digest())).as("blob GETs in the upstream registry's access log").isEqualTo(1);
        List<String> servingNodes = cluster.nodeNames().stream()
                .filter(node -> engineLog(node).contains("/v2/up/team/big/blobs/" + layer.digest())).toList();
        assertThat(servingNodes).as("nodes the balancer gave the clients to").hasSizeGreaterThan(1);
        assertThat(storedObjects(layer)).as("objects in the bucket under the blob's digest").hasSize(1);
        assertThat(digestOf(storedObjects(layer).get(0))).isEqualTo(layer.digest());
    }

    @Test
    @Order(2)
    void theCliAtOneNodeShowsPullsMadeThroughTheOthers() throws Exception {
        TestImage image = new TestImages(1802).ociImage();
        new RegistryPusher(registry.url()).push("team/stats", "1", image);
        Skopeo skopeo = new Skopeo();
        for (String node : List.of("node-2", "node-3")) {
            Path copy = temp.resolve("stats-pull-" + node);
            Skopeo.Result result;
            try {
                result = skopeo.copy(cluster.address(node) + "/up/team/stats:1", copy);
            } catch (AssertionError e) {
                // Once in ~20 CI runs node 2 answered this pull's manifest GET with Jetty's 400; its log says why.
                throw new AssertionError(e.getMessage() + "\n" + node + "'s engine.log, last lines:\n" + logTail(node), e);
            }
            assertThat(result.exitCode()).as("pull through %s: %s", node, result.stderr()).isZero();
            assertThat(Skopeo.read(copy).verified().manifestDigest()).isEqualTo(image.digest());
        }

        String node1 = cluster.address("node-1");
        JsonNode repos = new ObjectMapper().readTree(cluster.cli(node1, "repos", "list", "--json"));
        assertThat(repos.findValuesAsText("name")).as("repositories node 1 lists").contains("up/team/stats");
        // Pull counters may be written in batches: wait until both pulls are counted, whichever node counts them.
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            JsonNode stats = new ObjectMapper().readTree(cluster.cli(node1, "stats", "--json"));
            JsonNode teamStats = null;
            for (JsonNode repo : stats.path("repositories")) {
                if (repo.path("repository").asText().equals("up/team/stats")) teamStats = repo;
            }
            assertThat(teamStats).as("node 1's statistics of up/team/stats:\n%s", stats).isNotNull();
            assertThat(teamStats.path("pulls").asLong()).as("pulls counted via nodes 2 and 3").isGreaterThanOrEqualTo(2);
        });
    }

    @Test
    @Order(3)
    void killingTheNodeThatLeadsAFillLeavesTheOtherNodesClientsServed() throws Exception {
        TestBlob layer = pushImageWithBigLayer("team/takeover", 1803, 16);
        String blobPath = "/v2/team/takeover/blobs/" + layer.digest();
        // Node 3 leads the fill, and its download is held at the upstream so the fill is still running when it dies.
        upstream.inject(Fault.delay(Duration.ofMinutes(10)).onlyFor("GET", blobPath), 1);
        clients.submit(() -> pulledDigest(cluster.address("node-3"), "up/team/takeover", layer.digest()));
        await().atMost(Duration.ofMinutes(1)).until(() -> upstream.count("GET", blobPath) == 1);

        List<Future<String>> waiting = new ArrayList<>();
        for (String node : List.of("node-1", "node-2")) {
            for (int i = 0; i < 2; i++) {
                waiting.add(clients.submit(() -> pulledDigest(cluster.address(node), "up/team/takeover", layer.digest())));
            }
        }
        // Both nodes' fills are in flight, waiting on node 3's lease, before node 3 dies.
        for (String node : List.of("node-1", "node-2")) {
            await().atMost(Duration.ofMinutes(1)).until(() -> fillsInFlight(node) == 1);
        }
        assertThat(upstream.count("GET", blobPath)).as("no other node asks the upstream while node 3 leads").isEqualTo(1);

        ProcessHandle leader = ProcessHandle.of(cluster.pid("node-3")).orElseThrow();
        new ProcessBuilder("kill", "-9", Long.toString(leader.pid())).inheritIO().start().waitFor();
        leader.onExit().get(1, TimeUnit.MINUTES);

        for (Future<String> pull : waiting) {
            assertThat(pull.get(5, TimeUnit.MINUTES)).isEqualTo(layer.digest());
        }
        assertThat(upstream.forwarded("GET", blobPath)).as("one takeover download reached the registry; node 3's is still held")
                .isEqualTo(1);
        assertThat(storedObjects(layer)).as("objects in the bucket under the blob's digest").hasSize(1);
        assertThat(digestOf(storedObjects(layer).get(0))).isEqualTo(layer.digest());
    }

    private TestBlob pushImageWithBigLayer(String repository, long seed, int mib) {
        TestImage image = new TestImages(seed).ociImageWithBigLayer(temp.resolve("images"), mib);
        new RegistryPusher(registry.url()).push(repository, "1", image);
        return image.layers().get(0);
    }

    /** Pulls a blob through {@code hostPort} with a plain GET and returns the digest of the bytes received. */
    private String pulledDigest(String hostPort, String repository, String digest) throws Exception {
        URI uri = URI.create("http://" + hostPort + "/v2/" + repository + "/blobs/" + digest);
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).as("GET %s", uri).isEqualTo(200);
        try (InputStream body = response.body()) {
            return digestOf(body);
        }
    }

    private long fillsInFlight(String node) throws Exception {
        URI uri = URI.create("http://" + cluster.address(node) + "/metrics");
        String metrics = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = FILLS_IN_FLIGHT.matcher(metrics);
        return m.find() ? (long) Double.parseDouble(m.group(1)) : -1;
    }

    private long registryBlobGets(String digest) {
        return registry.requestLog().stream()
                .filter(e -> e.method().equals("GET") && e.path().endsWith("/blobs/" + digest)).count();
    }

    private String logTail(String node) {
        List<String> lines = engineLog(node).lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    private String engineLog(String node) {
        try {
            return cluster.log(node);
        } catch (IOException e) {
            throw new AssertionError("cannot read " + node + "'s engine.log", e);
        }
    }

    /** Files in S3Proxy's bucket folder (its filesystem backend) whose key ends in the blob's digest. */
    private List<Path> storedObjects(TestBlob blob) throws IOException {
        try (Stream<Path> files = Files.walk(cluster.state().resolve("s3/data/cachalot"))) {
            return files.filter(Files::isRegularFile).filter(f -> f.getFileName().toString().equals(blob.hex()))
                    .collect(Collectors.toList());
        }
    }

    private static String digestOf(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return digestOf(in);
        }
    }

    private static String digestOf(InputStream in) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[64 * 1024];
        for (int n; (n = in.read(buffer)) > 0; ) {
            sha.update(buffer, 0, n);
        }
        return "sha256:" + HexFormat.of().formatHex(sha.digest());
    }
}
