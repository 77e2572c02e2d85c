package dev.cachalot.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A cluster started by {@code scripts/cluster.sh up} with this build's classes, for tests that share one cluster:
 * the balancer's and the nodes' addresses, the nodes' PIDs, and the CLI run as its own process against any of them
 * (as the admin {@code up --auth required} made, when it did).
 */
final class ScriptedCluster {
    private static final Path SCRIPT = Path.of("scripts/cluster.sh");

    private final Path state;
    private final Path scratch;
    private final String balancer;
    private final Map<String, String> nodes;
    private final Map<String, Long> pids;

    private ScriptedCluster(Path state, Path scratch, String balancer, Map<String, String> nodes, Map<String, Long> pids) {
        this.state = state;
        this.scratch = scratch;
        this.balancer = balancer;
        this.nodes = nodes;
        this.pids = pids;
    }

    /**
     * Starts {@code count} engines behind HAProxy, state in {@code state}, command output in {@code scratch}; {@code
     * options} go to {@code up} as they are ({@code --auth required}).
     */
    static ScriptedCluster up(Path state, Path scratch, int count, String... options) throws IOException, InterruptedException {
        return up(state, scratch, count, Map.of(), options);
    }

    /** The same, with extra environment for {@code cluster.sh up} (e.g. {@code CACHALOT_CLUSTER_GC_GRACE}). */
    static ScriptedCluster up(Path state, Path scratch, int count, Map<String, String> environment, String... options)
            throws IOException, InterruptedException {
        requireProgram("/usr/sbin/haproxy", "haproxy");
        requireProgram("/usr/lib/postgresql/15/bin/initdb", "postgresql");
        List<String> args = new ArrayList<>(List.of("up", "--nodes", Integer.toString(count)));
        args.addAll(List.of(options));
        Run up = script(state, scratch, environment, args.toArray(String[]::new));
        if (up.exitCode() != 0) {
            if (Files.exists(state)) script(state, scratch, "down");
            throw new AssertionError("cluster.sh up failed:\n" + up.output());
        }
        Map<String, String> nodes = new LinkedHashMap<>();
        for (String line : Files.readAllLines(state.resolve("nodes"))) {
            nodes.put(line.split(" ")[0], line.split(" ")[1]);
        }
        Map<String, Long> pids = new LinkedHashMap<>();
        for (String line : Files.readAllLines(state.resolve("pids"))) {
            pids.put(line.split(" ")[0], Long.parseLong(line.split(" ")[1]));
        }
        return new ScriptedCluster(state, scratch, up.lastLine(), nodes, pids);
    }

    void down() throws IOException, InterruptedException {
        if (!Files.exists(state)) return;
        Run down = script(state, scratch, "down");
        assertThat(down.exitCode()).as("cluster.sh down failed:\n%s", down.output()).isZero();
    }

    /** The balancer's HOST:PORT. */
    String balancer() {
        return balancer;
    }

    /** HOST:PORT of a node, by its name in the {@code nodes} file ({@code node-1} ...). */
    String address(String node) {
        String address = nodes.get(node);
        if (address == null) throw new IllegalArgumentException("no node " + node + " in " + nodes.keySet());
        return address;
    }

    List<String> nodeNames() {
        return List.copyOf(nodes.keySet());
    }

    long pid(String node) {
        return pids.get(node);
    }

    /** The PIDs of everything {@code up} started (balancer, engines, database, bucket). */
    List<Long> pids() {
        return List.copyOf(pids.values());
    }

    Path state() {
        return state;
    }

    /**
     * Runs {@code cachalot --engine http://HOST:PORT ARGS} (as the admin, with its access token, when the cluster has
     * one), asserts it succeeded and returns its standard output.
     */
    String cli(String hostPort, String... args) throws IOException, InterruptedException {
        return cliWithInput(null, hostPort, args);
    }

    /** As {@link #cli}, with {@code input} on its standard input (a password), or none when null. */
    String cliWithInput(String input, String hostPort, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), "dev.cachalot.Main", "--engine", "http://" + hostPort));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        Path token = state.resolve("admin-token");
        if (Files.exists(token)) builder.environment().put("CACHALOT_TOKEN", Files.readString(token).strip());
        if (input != null) {
            Path in = Files.createTempFile(scratch, "cli", ".in");
            Files.writeString(in, input + "\n");
            builder.redirectInput(in.toFile());
        }
        Run run = run(builder, scratch, "cli");
        assertThat(run.exitCode()).as("cachalot %s:\n%s", String.join(" ", args), run.output()).isZero();
        return run.stdout();
    }

    /** The engine log of a node ({@code node-1} ...): its access log, one line per request. */
    String log(String node) throws IOException {
        return Files.readString(state.resolve(node).resolve("engine.log"));
    }

    private static void requireProgram(String path, String debianPackage) {
        if (!Files.isExecutable(Path.of(path))) {
            throw new AssertionError("MISSING TEST DEPENDENCY: " + path + " — install the Debian package '" + debianPackage
                    + "' (./scripts/install-test-deps.sh or apt-get install -y " + debianPackage + ")");
        }
    }

    private record Run(int exitCode, String stdout, String output, String lastLine) {
    }

    private static Run script(Path state, Path scratch, String... args) throws IOException, InterruptedException {
        return script(state, scratch, Map.of(), args);
    }

    private static Run script(Path state, Path scratch, Map<String, String> environment, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(SCRIPT.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        builder.environment().put("CACHALOT_CLUSTER_DIR", state.toString());
        // The engines run this build's classes: no packaging before the test phase, no stale jar.
        builder.environment().put("CACHALOT_CLUSTER_CLASSPATH", System.getProperty("java.class.path"));
        return run(builder, scratch, "cluster-" + args[0]);
    }

    private static Run run(ProcessBuilder builder, Path scratch, String name) throws IOException, InterruptedException {
        Path out = Files.createTempFile(scratch, name, ".out");
        Path err = Files.createTempFile(scratch, name, ".err");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", builder.command()) + " did not finish:\n" + Files.readString(err));
        }
        List<String> lines = Files.readAllLines(out);
        String last = lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        String stdout = Files.readString(out);
        return new Run(process.exitValue(), stdout, stdout + Files.readString(err), last);
    }
}
