package dev.cachalot.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.Skopeo;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/cluster.sh} as its command-line contract says: three engines on one S3 bucket (S3Proxy) and one
 * PostgreSQL database behind HAProxy, managed and pulled from through the balancer like a single engine, and stopped
 * by PID with nothing left running. Costs about half a minute (four JVMs and PostgreSQL start).
 */
class ClusterScriptTest {

    private static final Path SCRIPT = Path.of("scripts/cluster.sh");

    @TempDir
    Path temp;

    private Path state;
    private DockerRegistryFixture upstream;

    @AfterEach
    void stop() throws Exception {
        if (state != null && Files.exists(state)) {
            script("down");
        }
        if (upstream != null) upstream.close();
    }

    @Test
    void threeEnginesBehindTheBalancerServeAsOneAndStopWithoutLeavingProcesses() throws Exception {
        requireProgram("/usr/sbin/haproxy", "haproxy");
        requireProgram("/usr/lib/postgresql/15/bin/initdb", "postgresql");
        upstream = DockerRegistryFixture.start();
        TestImage app = new TestImages(181).ociImage();
        TestImage other = new TestImages(182).ociImage();
        new RegistryPusher(upstream.url()).push("team/app", "1", app);
        new RegistryPusher(upstream.url()).push("other/app", "1", other);

        state = temp.resolve("cluster");
        Run up = script("up", "--nodes", "3");
        assertThat(up.exitCode()).as("cluster.sh up failed:\n%s", up.output()).isZero();
        String balancer = up.lastLine();
        assertThat(balancer).as("the last line is HOST:PORT").matches("127\\.0\\.0\\.1:\\d+");
        List<Long> pids = Files.readAllLines(state.resolve("pids")).stream()
                .map(line -> Long.parseLong(line.split(" ")[1])).toList();
        Map<String, String> nodes = Files.readAllLines(state.resolve("nodes")).stream()
                .collect(Collectors.toMap(line -> line.split(" ")[0], line -> line.split(" ")[1]));
        assertThat(nodes).hasSize(3);

        cli(balancer, "upstream", "add", "--login-server", upstream.hostPort(), "--endpoint", upstream.url());
        cli(balancer, "rules", "create", "--name", "team-cache", "--source", upstream.hostPort() + "/team/*", "--target", "team/*");

        Skopeo skopeo = new Skopeo();
        for (int i = 0; i < 6; i++) {
            Path copy = temp.resolve("pull-" + i);
            Skopeo.Result result = skopeo.copy(balancer + "/team/app:1", copy);
            assertThat(result.exitCode()).as("pull %d through the balancer: %s", i, result.stderr()).isZero();
            assertThat(Skopeo.read(copy).verified().manifestDigest()).isEqualTo(app.digest());
        }
        for (String node : nodes.keySet()) {
            assertThat(Files.readString(state.resolve(node).resolve("engine.log")))
                    .as("%s served some of the pulls (round robin)", node).contains("/v2/team/app/");
        }

        // A rule made through node 1 is used by node 3 on its very next request.
        cli(nodes.get("node-1"), "rules", "create", "--name", "other-cache", "--source", upstream.hostPort() + "/other/*",
                "--target", "other/*");
        Path copy = temp.resolve("pull-other");
        Skopeo.Result result = skopeo.copy(nodes.get("node-3") + "/other/app:1", copy);
        assertThat(result.exitCode()).as("node 3 uses node 1's new rule: %s", result.stderr()).isZero();
        assertThat(Skopeo.read(copy).verified().manifestDigest()).isEqualTo(other.digest());

        Run down = script("down");
        assertThat(down.exitCode()).as("cluster.sh down failed:\n%s", down.output()).isZero();
        assertThat(state).doesNotExist();
        for (long pid : pids) {
            assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).as("process %d stopped", pid).isEmpty();
        }
    }

    private static void requireProgram(String path, String debianPackage) {
        if (!Files.isExecutable(Path.of(path))) {
            throw new AssertionError("MISSING TEST DEPENDENCY: " + path + " — install the Debian package '" + debianPackage
                    + "' (./scripts/install-test-deps.sh or apt-get install -y " + debianPackage + ")");
        }
    }

    private record Run(int exitCode, String output, String lastLine) {
    }

    private Run script(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(SCRIPT.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("CACHALOT_CLUSTER_DIR", state.toString());
        // The engines run this build's classes: no packaging before the test phase, no stale jar.
        builder.environment().put("CACHALOT_CLUSTER_CLASSPATH", System.getProperty("java.class.path"));
        return run(builder, "cluster-" + args[0]);
    }

    private void cli(String hostPort, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), "dev.cachalot.Main", "--engine", "http://" + hostPort));
        command.addAll(List.of(args));
        Run run = run(new ProcessBuilder(command), "cli");
        assertThat(run.exitCode()).as("cachalot %s:\n%s", String.join(" ", args), run.output()).isZero();
    }

    private Run run(ProcessBuilder builder, String name) throws IOException, InterruptedException {
        Path out = Files.createTempFile(temp, name, ".out");
        Path err = Files.createTempFile(temp, name, ".err");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", builder.command()) + " did not finish:\n" + Files.readString(err));
        }
        List<String> lines = Files.readAllLines(out);
        String last = lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        return new Run(process.exitValue(), Files.readString(out) + Files.readString(err), last);
    }
}
