package dev.cachalot.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.RunsAlone;
import dev.cachalot.testing.Skopeo;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/cluster.sh} as its command-line contract says: three engines on one S3 bucket (S3Proxy) and one
 * PostgreSQL database behind HAProxy, managed and pulled from through the balancer like a single engine, and stopped
 * by PID with nothing left running. Costs about half a minute (four JVMs and PostgreSQL start).
 */
@RunsAlone
class ClusterScriptTest {

    @TempDir
    Path temp;

    private ScriptedCluster cluster;
    private DockerRegistryFixture upstream;

    @AfterEach
    void stop() throws Exception {
        if (cluster != null) cluster.down();
        if (upstream != null) upstream.close();
    }

    @Test
    void threeEnginesBehindTheBalancerServeAsOneAndStopWithoutLeavingProcesses() throws Exception {
        upstream = DockerRegistryFixture.start();
        TestImage app = new TestImages(181).ociImage();
        TestImage other = new TestImages(182).ociImage();
        new RegistryPusher(upstream.url()).push("team/app", "1", app);
        new RegistryPusher(upstream.url()).push("other/app", "1", other);

        cluster = ScriptedCluster.up(temp.resolve("cluster"), temp, 3);
        String balancer = cluster.balancer();
        assertThat(balancer).as("the last line is HOST:PORT").matches("127\\.0\\.0\\.1:\\d+");
        // Handles, not bare pids: a handle knows its process's start time, so a pid the kernel hands to a new process
        // after the cluster stopped (pid_max is 32768 here and the suite starts thousands) is not taken for it.
        List<ProcessHandle> processes = new ArrayList<>();
        for (long pid : cluster.pids()) {
            processes.add(ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("process " + pid + " of the cluster is not running")));
        }
        assertThat(cluster.nodeNames()).hasSize(3);

        cluster.cli(balancer, "upstream", "add", "--login-server", upstream.hostPort(), "--endpoint", upstream.url());
        cluster.cli(balancer, "rules", "create", "--name", "team-cache", "--source", upstream.hostPort() + "/team/*",
                "--target", "team/*");

        Skopeo skopeo = new Skopeo();
        for (int i = 0; i < 6; i++) {
            Path copy = temp.resolve("pull-" + i);
            Skopeo.Result result = skopeo.copy(balancer + "/team/app:1", copy);
            assertThat(result.exitCode()).as("pull %d through the balancer: %s", i, result.stderr()).isZero();
            assertThat(Skopeo.read(copy).verified().manifestDigest()).isEqualTo(app.digest());
        }
        for (String node : cluster.nodeNames()) {
            assertThat(cluster.log(node))
                    .as("%s served some of the pulls (round robin)", node).contains("/v2/team/app/");
        }

        // HAProxy names each client to the engines (send-proxy-v2, trusted by listen.trustedProxies): a client on
        // another loopback address is logged as itself, not as the balancer.
        assertThat(getFrom("127.0.0.2", balancer, "/v2/team/app/tags/list")).startsWith("HTTP/1.1 200");
        await("the access log line").atMost(Duration.ofSeconds(30)).until(() -> cluster.nodeNames().stream().anyMatch(node ->
                Pattern.compile("(?m)^\\S+Z 127\\.0\\.0\\.2 - GET /v2/team/app/tags/list 200 ").matcher(engineLog(node)).find()));

        // A rule made through node 1 is used by node 3 on its very next request.
        cluster.cli(cluster.address("node-1"), "rules", "create", "--name", "other-cache", "--source",
                upstream.hostPort() + "/other/*", "--target", "other/*");
        Path copy = temp.resolve("pull-other");
        Skopeo.Result result = skopeo.copy(cluster.address("node-3") + "/other/app:1", copy);
        assertThat(result.exitCode()).as("node 3 uses node 1's new rule: %s", result.stderr()).isZero();
        assertThat(Skopeo.read(copy).verified().manifestDigest()).isEqualTo(other.digest());

        cluster.down();
        assertThat(cluster.state()).doesNotExist();
        // A process may still be on its way out (its exit not yet reaped) as the script returns; gone soon after.
        for (ProcessHandle process : processes) {
            await("process " + process.pid() + " gone").atMost(Duration.ofSeconds(30)).until(() -> !process.isAlive());
        }
    }

    private String engineLog(String node) {
        try {
            return cluster.log(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One GET to {@code hostPort} from a socket bound to {@code from}; the whole answer. */
    private static String getFrom(String from, String hostPort, String path) throws IOException {
        int colon = hostPort.lastIndexOf(':');
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            socket.connect(new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))), 5_000);
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + hostPort + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
