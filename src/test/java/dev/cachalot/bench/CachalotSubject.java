package dev.cachalot.bench;

import dev.cachalot.testing.Ports;
import dev.cachalot.testing.Processes;
import dev.cachalot.testing.TempDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Cachalot as a separate process ({@code cachalot serve}), set up only through its CLI the way a user would:
 * {@code upstream add} for the benchmark's upstream and one wildcard rule {@code bench/*} over all of it. The
 * rule is created once in a template data folder that each fresh start copies, so a cold round does not pay
 * for two extra JVM starts.
 */
final class CachalotSubject implements Subject {
    static final String RULE_NAME = "bench-all";
    static final String TARGET_PREFIX = "bench/";
    /**
     * Ready is what a load balancer or an orchestrator asks ({@code OperationsHandler}): the database answers and a
     * blob file can be written, which {@code /v2/} alone does not say.
     */
    private static final String READY_PATH = "/readyz";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_GRACE = Duration.ofSeconds(15);

    private final List<String> launcher;
    private final Path root = TempDirs.create("cachalot-bench-engine-");
    private final Path template = root.resolve("template");
    private final Path data = root.resolve("data");
    private final Path log = root.resolve("serve.log");
    private Process process;
    private Thread killer;
    private int port;
    private BenchTls tls;
    private String javaOptions = "";

    /**
     * @param launcher how to run the CLI, e.g. {@code [java, -jar, target/cachalot.jar]}
     * @param upstreamHostPort the upstream as {@code 127.0.0.1:PORT} (plain HTTP)
     */
    CachalotSubject(List<String> launcher, String upstreamHostPort) {
        this.launcher = List.copyOf(launcher);
        cli("upstream", "add", "--login-server", upstreamHostPort, "--endpoint", "http://" + upstreamHostPort,
                "--data", template.toString());
        cli("rules", "create", "--name", RULE_NAME, "--source", upstreamHostPort + "/*",
                "--target", TARGET_PREFIX + "*", "--data", template.toString());
    }

    @Override
    public String name() {
        return "cachalot";
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public String repository(String upstreamRepository) {
        return TARGET_PREFIX + upstreamRepository;
    }

    @Override
    public boolean sentUpstream(String userAgent) {
        // Cachalot names itself (cachalot/<version>, BuildVersion.userAgent); the peer is Go's distribution.
        return userAgent.startsWith("cachalot/");
    }

    @Override
    public long pid() {
        if (process == null) {
            throw new IllegalStateException("cachalot not started");
        }
        return process.pid();
    }

    @Override
    public Duration startEmpty() {
        stop();
        TempDirs.deleteQuietly(data);
        copyTree(template, data);
        return start();
    }

    /** The blob file appears by an atomic move once verified. */
    @Override
    public void awaitStored(String repository, String digest, long size) {
        Evictions.awaitFile(blobFile(digest), size, "Cachalot's stored copy of " + digest);
    }

    private Path blobFile(String digest) {
        String hex = Evictions.hex(digest);
        return data.resolve("blobs/sha256").resolve(hex.substring(0, 2)).resolve(hex);
    }

    @Override
    public Duration restart() {
        stop();
        return start();
    }

    @Override
    public void restartTls(BenchTls newTls) {
        stop();
        tls = newTls;
        start();
    }

    /** Restarts it on the same data with these JVM options added (workload 9: {@code -Dcachalot.metrics=off}). */
    void restartWithJavaOptions(String options) {
        stop();
        javaOptions = options;
        start();
    }

    /** The serve log so far (for error messages). */
    String logText() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    private Duration start() {
        port = Ports.free();
        List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of("serve", "--listen", "127.0.0.1:" + port, "--data", data.toString()));
        if (tls != null) {
            command.addAll(List.of("--tls-cert", tls.certificate().toString(), "--tls-key", tls.key().toString()));
        }
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().remove("CACHALOT_DATA");
        // For profiling by hand (e.g. -Dbench.cachalot.javaOptions=-XX:StartFlightRecording=...): never set by the bench.
        String options = (System.getProperty("bench.cachalot.javaOptions", "") + " " + javaOptions).trim();
        if (!options.isEmpty()) {
            builder.environment().put("JDK_JAVA_OPTIONS", options);
        }
        long start = System.nanoTime();
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        Process started = process;
        killer = new Thread(started::destroyForcibly, "cachalot-bench-killer");
        Runtime.getRuntime().addShutdownHook(killer);
        awaitReady(started, start);
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private void awaitReady(Process started, long start) {
        long deadline = start + READY_TIMEOUT.toNanos();
        while (true) {
            if (!started.isAlive()) {
                throw new IllegalStateException("cachalot serve exited with " + started.exitValue()
                        + " before " + READY_PATH + " answered 200. Log:\n" + logText());
            }
            if (tls != null ? answersOverTls() : answers()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                stop();
                throw new IllegalStateException("cachalot serve did not answer " + READY_PATH + " with 200 within "
                        + READY_TIMEOUT.toSeconds() + " s. Log:\n" + logText());
            }
            sleep(5);
        }
    }

    private boolean answers() {
        try (HttpConnection connection = new HttpConnection("127.0.0.1", port)) {
            return connection.get(READY_PATH, Map.of()).status() == 200;
        } catch (IOException e) {
            return false; // not listening yet
        }
    }

    private boolean answersOverTls() {
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().sslContext(tls.trust())
                .connectTimeout(Duration.ofSeconds(2)).build();
        try {
            var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("https://127.0.0.1:" + port + READY_PATH))
                    .timeout(Duration.ofSeconds(2)).build();
            return client.send(request, java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** SIGTERM by PID, then SIGKILL if it does not stop within the grace period. */
    private void stop() {
        if (process == null) {
            return;
        }
        Process p = process;
        process = null;
        Processes.stop(p, STOP_GRACE);
        try {
            Runtime.getRuntime().removeShutdownHook(killer);
        } catch (IllegalStateException ignored) {
            // JVM already shutting down
        }
    }

    private void cli(String... args) {
        List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + String.join(" ", command));
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("failed (" + p.exitValue() + "): " + String.join(" ", args)
                        + "\n" + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void copyTree(Path from, Path to) {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : files.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else if (!source.getFileName().toString().endsWith(".lock.db")) {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        stop();
        TempDirs.deleteQuietly(root);
    }
}
