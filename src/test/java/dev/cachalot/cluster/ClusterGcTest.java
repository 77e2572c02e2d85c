package dev.cachalot.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.RunsAlone;
import dev.cachalot.testing.TestBlob;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18's "GC on one node while another serves → no broken stream", on the cluster {@code scripts/cluster.sh}
 * starts (three engines as separate processes on S3Proxy and PostgreSQL, behind HAProxy), with a one-second grace
 * period so that blobs pulled by the test are old enough to collect: a client streams a 64 MiB layer slowly from node 2
 * while the image's repository is deleted and {@code cachalot gc} runs against node 1. The collection keeps the layer
 * (node 2's read mark), the client gets every byte with the right digest, and the first collection after the stream
 * ended removes the layer from the bucket. An image that is still cached keeps all its blobs through every collection.
 * Costs about a minute (the cluster's start, 64 MiB pushed, stored and read back).
 */
@RunsAlone
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterGcTest {
    private static final String MANIFEST_TYPES = "application/vnd.oci.image.manifest.v1+json";

    @TempDir
    static Path temp;

    private DockerRegistryFixture registry;
    private ScriptedCluster cluster;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    void startCluster() throws Exception {
        registry = DockerRegistryFixture.start();
        cluster = ScriptedCluster.up(temp.resolve("cluster"), temp, 3, Map.of("CACHALOT_CLUSTER_GC_GRACE", "PT1S"));
        String upstream = URI.create(registry.url()).getAuthority();
        cluster.cli(cluster.balancer(), "upstream", "add", "--login-server", upstream, "--endpoint", registry.url());
        cluster.cli(cluster.balancer(), "rules", "create", "--name", "upstream-all", "--source", upstream + "/*",
                "--target", "up/*");
    }

    @AfterAll
    void stop() throws Exception {
        if (cluster != null) cluster.down();
        if (registry != null) registry.close();
    }

    @Test
    void collectionOnOneNodeKeepsABlobAnotherNodeStreamsAndRemovesItOnceTheStreamIsOver() throws Exception {
        TestImage kept = new TestImages(1901).ociImage();
        new RegistryPusher(registry.url()).push("team/kept", "1", kept);
        TestImage dropped = new TestImages(1902).ociImageWithBigLayer(temp.resolve("images"), 64);
        new RegistryPusher(registry.url()).push("team/dropped", "1", dropped);
        TestBlob layer = dropped.layers().get(0);
        // Both images cached through the balancer: stored in the bucket, linked in the shared database.
        pullImage(cluster.balancer(), "up/team/kept", kept);
        pullImage(cluster.balancer(), "up/team/dropped", dropped);
        assertThat(storedObjects(layer)).hasSize(1);

        // A slow client of node 2: it reads 4 MiB of the layer, then stops reading while node 1 collects.
        URI blobAtNode2 = URI.create("http://" + cluster.address("node-2") + "/v2/up/team/dropped/blobs/" + layer.digest());
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(blobAtNode2).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        MessageDigest received = MessageDigest.getInstance("SHA-256");
        long bytes;
        try (InputStream body = response.body()) {
            bytes = read(body, received, 4L * 1024 * 1024);

            String node1 = cluster.address("node-1");
            deleteRepository(node1, "up/team/dropped");
            // Once the grace period is behind the layer, a collection finds it unreferenced, and read on node 2.
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> gc(node1, "--dry-run").path("keptBeingRead").asInt() == 1);
            JsonNode during = gc(node1);

            assertThat(during.path("keptBeingRead").asInt()).as("collection while node 2 streams:\n%s", during).isEqualTo(1);
            assertThat(storedObjects(layer)).as("the streamed layer is still in the bucket").hasSize(1);

            bytes += read(body, received, Long.MAX_VALUE);
        }
        assertThat(bytes).isEqualTo(layer.size());
        assertThat("sha256:" + HexFormat.of().formatHex(received.digest())).as("digest of the bytes node 2 sent")
                .isEqualTo(layer.digest());

        // Node 2 ends its read mark when the response is over; the next collection takes the layer.
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
                .until(() -> gc(cluster.address("node-1"), "--dry-run").path("keptBeingRead").asInt() == 0);
        JsonNode after = gc(cluster.address("node-3"));
        assertThat(after.path("removed").asInt()).as("collection after the stream:\n%s", after).isGreaterThanOrEqualTo(1);
        assertThat(after.path("bytesRemoved").asLong()).isGreaterThanOrEqualTo(layer.size());
        assertThat(storedObjects(layer)).as("the layer is gone from the bucket").isEmpty();

        // The image still cached lost nothing: every blob is in the bucket and served with its digest.
        for (TestBlob blob : blobsOf(kept)) {
            assertThat(storedObjects(blob)).as("%s of the cached image", blob.digest()).hasSize(1);
        }
        pullImage(cluster.address("node-3"), "up/team/kept", kept);
    }

    /** Runs {@code cachalot --engine http://ADDRESS gc --json [ARGS]}: the report. */
    private JsonNode gc(String hostPort, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("gc", "--json"));
        command.addAll(List.of(args));
        return json.readTree(cluster.cli(hostPort, command.toArray(String[]::new)));
    }

    private void deleteRepository(String hostPort, String repository) throws Exception {
        URI uri = URI.create("http://" + hostPort + "/cachalot/api/v1/repository?name="
                + URLEncoder.encode(repository, StandardCharsets.UTF_8));
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("DELETE %s: %s", uri, response.body()).isEqualTo(204);
    }

    /** GETs the image's manifest and every blob through {@code hostPort}, checking each digest. */
    private void pullImage(String hostPort, String repository, TestImage image) throws Exception {
        URI manifest = URI.create("http://" + hostPort + "/v2/" + repository + "/manifests/1");
        HttpResponse<byte[]> m = http.send(HttpRequest.newBuilder(manifest).header("Accept", MANIFEST_TYPES).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(m.statusCode()).as("GET %s", manifest).isEqualTo(200);
        assertThat(digestOf(new java.io.ByteArrayInputStream(m.body()))).isEqualTo(image.digest());
        for (TestBlob blob : blobsOf(image)) {
            URI uri = URI.create("http://" + hostPort + "/v2/" + repository + "/blobs/" + blob.digest());
            HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(response.statusCode()).as("GET %s", uri).isEqualTo(200);
            try (InputStream body = response.body()) {
                assertThat(digestOf(body)).as("GET %s", uri).isEqualTo(blob.digest());
            }
        }
    }

    private static List<TestBlob> blobsOf(TestImage image) {
        List<TestBlob> blobs = new java.util.ArrayList<>(image.layers());
        blobs.add(image.config());
        return blobs;
    }

    /** Reads up to {@code limit} bytes into {@code digest}; returns how many were read. */
    private static long read(InputStream in, MessageDigest digest, long limit) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        while (total < limit) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, limit - total));
            if (n < 0) break;
            digest.update(buffer, 0, n);
            total += n;
        }
        return total;
    }

    /** Files in S3Proxy's bucket folder (its filesystem backend) whose key ends in the blob's digest. */
    private List<Path> storedObjects(TestBlob blob) throws IOException {
        try (Stream<Path> files = Files.walk(cluster.state().resolve("s3/data/cachalot"))) {
            return files.filter(Files::isRegularFile).filter(f -> f.getFileName().toString().equals(blob.hex()))
                    .collect(Collectors.toList());
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
