package dev.cachalot.cluster;

import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.RegistryPusher;
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
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

/**
 * Measures the first-byte time of a cold 256 MiB blob for a client of a node that does not lead the fill: a client of
 * node 1 starts the fill (node 1 takes the fill lease and downloads from the upstream); once it has its first byte, a
 * client of node 2 asks for the same blob. Prints, per round, both clients' first-byte and last-byte times (from the
 * leader client's request). Not a test (numbers, no verdicts): run by hand, e.g.
 * {@code java -cp target/test-classes:target/classes:$(cat cp.txt) dev.cachalot.cluster.ClusterFirstByteProbe [rounds]}
 * from the repository root. Figures go to docs/scaling.md.
 */
public final class ClusterFirstByteProbe {

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        Path temp = Files.createTempDirectory("first-byte");
        HttpClient http = HttpClient.newHttpClient();
        try (DockerRegistryFixture registry = DockerRegistryFixture.start()) {
            ScriptedCluster cluster = ScriptedCluster.up(temp.resolve("cluster"), temp, 3);
            try {
                String upstream = URI.create(registry.url()).getAuthority();
                cluster.cli(cluster.balancer(), "upstream", "add", "--login-server", upstream, "--endpoint", registry.url());
                cluster.cli(cluster.balancer(), "rules", "create", "--name", "probe-all", "--source", upstream + "/*", "--target", "up/*");
                System.out.println("round  leader-first  leader-last  follower-start  follower-first  follower-last  (ms from the leader's request)");
                for (int round = 1; round <= rounds; round++) {
                    TestImage image = new TestImages(2000 + round).ociImageWithBigLayer(temp.resolve("images-" + round), 256);
                    new RegistryPusher(registry.url()).push("probe/big" + round, "1", image);
                    TestBlob layer = image.layers().get(0);
                    String path = "/v2/up/probe/big" + round + "/blobs/" + layer.digest();
                    long t0 = System.nanoTime();
                    CountDownLatch leaderHasFirstByte = new CountDownLatch(1);
                    CompletableFuture<long[]> leader = CompletableFuture.supplyAsync(() ->
                            timedGet(http, cluster.address("node-1"), path, layer.digest(), t0, leaderHasFirstByte));
                    leaderHasFirstByte.await();
                    long followerStart = System.nanoTime() - t0;
                    long[] follower = timedGet(http, cluster.address("node-2"), path, layer.digest(), t0, new CountDownLatch(1));
                    long[] lead = leader.join();
                    System.out.printf(Locale.ROOT, "%5d  %12d  %11d  %14d  %14d  %13d%n", round, ms(lead[0]), ms(lead[1]),
                            ms(followerStart), ms(follower[0]), ms(follower[1]));
                    Files.deleteIfExists(layer.file());
                }
            } finally {
                cluster.down();
            }
        }
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    /** GETs the blob; returns {first byte, last byte} in nanoseconds since {@code t0}, after checking the digest. */
    private static long[] timedGet(HttpClient http, String hostPort, String path, String digest, long t0, CountDownLatch firstByte) {
        try {
            HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create("http://" + hostPort + path)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) throw new IllegalStateException("GET " + path + ": " + response.statusCode());
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[256 * 1024];
            long first = -1;
            try (InputStream body = response.body()) {
                for (int n; (n = body.read(buffer)) >= 0; ) {
                    if (first < 0 && n > 0) {
                        first = System.nanoTime() - t0;
                        firstByte.countDown();
                    }
                    sha.update(buffer, 0, n);
                }
            }
            long last = System.nanoTime() - t0;
            String got = "sha256:" + HexFormat.of().formatHex(sha.digest());
            if (!got.equals(digest)) throw new IllegalStateException("digest " + got + ", expected " + digest);
            return new long[] {first, last};
        } catch (Exception e) {
            firstByte.countDown();
            throw new IllegalStateException(e);
        }
    }
}
