package dev.cachalot.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.mindrot.jbcrypt.BCrypt;

/**
 * Debian's {@code docker-registry} (CNCF distribution 2.8.2) as a real upstream for tests: its own temp folder
 * (config, storage, logs), a free loopback port, started and stopped by PID.
 *
 * <pre>{@code
 * try (DockerRegistryFixture upstream = DockerRegistryFixture.start()) {
 *     upstream.pusher().push("library/hello", "v1", image);     // or new RegistryPusher(upstream.url())
 *     ... upstream.url() is http://127.0.0.1:PORT
 * }
 * }</pre>
 *
 * The registry converts a Docker v2 schema 2 manifest to signed schema 1 when a GET's {@code Accept} lacks the
 * Docker v2 types: always send an explicit {@code Accept}.
 */
public final class DockerRegistryFixture implements AutoCloseable {
    public static final String BINARY = "/usr/bin/docker-registry";
    public static final String DEBIAN_PACKAGE = "docker-registry";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private final Builder options;
    private final Path root;
    private final boolean ownsStorage;
    private final Path storage;
    private final Path configFile;
    private final Path logFile;
    private final Path accessLogFile;
    private final HttpClient http;
    private int port;
    private Process process;
    private Thread shutdownHook;

    private DockerRegistryFixture(Builder options) {
        this.options = options;
        HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2));
        this.http = (options.tlsTrust != null ? client.sslContext(options.tlsTrust) : client).build();
        this.ownsStorage = options.storage == null;
        this.root = TempDirs.create("cachalot-registry-");
        this.storage = options.storage != null ? options.storage : root.resolve("storage");
        this.configFile = root.resolve("config.yml");
        this.logFile = root.resolve("registry.log");
        this.accessLogFile = root.resolve("access.log");
    }

    /** A plain registry with default options. */
    public static DockerRegistryFixture start() {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Options; {@link #start()} launches the registry and waits until {@code GET /v2/} answers. */
    public static final class Builder {
        private String user;
        private String password;
        private String proxyRemoteUrl;
        private String proxyUser;
        private String proxyPassword;
        private boolean accessLog = true;
        private String logLevel = "info";
        private Path storage;
        private Path tlsCertificate;
        private Path tlsKey;
        private javax.net.ssl.SSLContext tlsTrust;

        private Builder() {
        }

        /**
         * Serves HTTPS with this PEM certificate chain and key; {@code trust} (trusting its issuer) is what the readiness
         * check connects with. {@link #url()} is then {@code https://…}.
         */
        public Builder tls(Path certificate, Path key, javax.net.ssl.SSLContext trust) {
            this.tlsCertificate = Objects.requireNonNull(certificate);
            this.tlsKey = Objects.requireNonNull(key);
            this.tlsTrust = Objects.requireNonNull(trust);
            return this;
        }

        /** Requires HTTP basic auth with this one user (htpasswd file with a bcrypt hash). */
        public Builder htpasswd(String user, String password) {
            this.user = Objects.requireNonNull(user);
            this.password = Objects.requireNonNull(password);
            return this;
        }

        /** Pull-through (proxy) mode in front of {@code remoteUrl}; pushes are then refused by the registry. */
        public Builder proxyOf(String remoteUrl) {
            this.proxyRemoteUrl = Objects.requireNonNull(remoteUrl);
            return this;
        }

        /** Pull-through mode with credentials for the remote. */
        public Builder proxyOf(String remoteUrl, String user, String password) {
            proxyOf(remoteUrl);
            this.proxyUser = user;
            this.proxyPassword = password;
            return this;
        }

        /** Access log on (default) or off (off for benchmarks, so the peer is not slowed by logging). */
        public Builder accessLog(boolean enabled) {
            this.accessLog = enabled;
            return this;
        }

        /** Application log level: {@code error}, {@code warn}, {@code info} (default), {@code debug}. */
        public Builder logLevel(String level) {
            this.logLevel = Objects.requireNonNull(level);
            return this;
        }

        /** Uses an existing storage folder (not deleted on close), e.g. to share content between registries. */
        public Builder storage(Path folder) {
            this.storage = folder;
            return this;
        }

        public DockerRegistryFixture start() {
            RequiredBinary.require(BINARY, DEBIAN_PACKAGE);
            DockerRegistryFixture registry = new DockerRegistryFixture(this);
            try {
                registry.firstStart();
                return registry;
            } catch (RuntimeException | Error e) {
                registry.close();
                throw e;
            }
        }
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:PORT} ({@code https} with {@link Builder#tls}), no trailing slash. */
    public String url() {
        return (options.tlsCertificate != null ? "https://" : "http://") + hostPort();
    }

    /** {@code 127.0.0.1:PORT}, as skopeo and image references want it. */
    public String hostPort() {
        return "127.0.0.1:" + port;
    }

    /** A pusher for this registry (with its htpasswd credentials, if any). */
    public RegistryPusher pusher() {
        RegistryPusher pusher = new RegistryPusher(url());
        return options.user != null ? pusher.withBasicAuth(options.user, options.password) : pusher;
    }

    /** A raw HTTP reader for this registry (with its htpasswd credentials, if any). */
    public RegistryReader reader() {
        RegistryReader reader = new RegistryReader(url());
        return options.user != null ? reader.withBasicAuth(options.user, options.password) : reader;
    }

    /** The registry's storage root (kept across {@link #stop()} / {@link #restart()}). */
    public Path storage() {
        return storage;
    }

    public Path configFile() {
        return configFile;
    }

    /** The registry's application log (stderr). */
    public Path logFile() {
        return logFile;
    }

    /** The registry's access log (stdout, combined format), appended across restarts. */
    public Path accessLogFile() {
        return accessLogFile;
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    public synchronized long pid() {
        if (process == null) {
            throw new IllegalStateException("registry not running");
        }
        return process.pid();
    }

    private synchronized void firstStart() {
        writeStaticFiles();
        for (int attempt = 1; ; attempt++) {
            port = Ports.free();
            writeConfig();
            try {
                launch();
                return;
            } catch (PortTakenException e) {
                if (attempt >= 5) {
                    throw new IllegalStateException("docker-registry could not bind a free port after 5 tries", e);
                }
            }
        }
    }

    /**
     * Starts the registry again after {@link #stop()}, on the same port and storage (tests stop an upstream to
     * check stale serving and bring it back).
     */
    public synchronized void restart() {
        if (isRunning()) {
            return;
        }
        launch();
    }

    /** Stops the registry by PID (SIGTERM, then SIGKILL after a bounded wait); storage and logs stay. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        Process p = process;
        process = null;
        Processes.stop(p, STOP_GRACE);
        removeShutdownHook();
    }

    /** Stops the registry and deletes its temp folder (and storage, unless it was given by the caller). */
    @Override
    public synchronized void close() {
        stop();
        TempDirs.deleteQuietly(root);
        if (ownsStorage) {
            TempDirs.deleteQuietly(storage);
        }
    }

    /**
     * The access log so far. Lines are written by the registry after it sent a response, so this waits briefly
     * (bounded) for the file to stop growing before reading it.
     */
    public List<AccessLogEntry> requestLog() {
        if (!options.accessLog) {
            throw new IllegalStateException("access log disabled for this registry (builder.accessLog(false))");
        }
        awaitQuietFile(accessLogFile);
        List<AccessLogEntry> entries = new ArrayList<>();
        for (String line : readLines(accessLogFile)) {
            AccessLogEntry.parse(line).ifPresent(entries::add);
        }
        return entries;
    }

    /** How many requests with this method and exact path (query ignored) the registry logged. */
    public long countRequests(String method, String path) {
        return requestLog().stream()
                .filter(e -> e.method().equalsIgnoreCase(method) && e.path().equals(path))
                .count();
    }

    /** The application log's text, for assertion messages. */
    public String logText() {
        return String.join("\n", readLines(logFile));
    }

    private void writeStaticFiles() {
        try {
            Files.createDirectories(storage);
            if (options.user != null) {
                String line = options.user + ":" + BCrypt.hashpw(options.password, BCrypt.gensalt(4)) + "\n";
                Files.writeString(root.resolve("htpasswd"), line, StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void writeConfig() {
        StringBuilder yaml = new StringBuilder();
        yaml.append("version: 0.1\n");
        yaml.append("log:\n");
        yaml.append("  level: ").append(options.logLevel).append('\n');
        yaml.append("  formatter: text\n");
        yaml.append("  accesslog:\n");
        yaml.append("    disabled: ").append(!options.accessLog).append('\n');
        yaml.append("storage:\n");
        yaml.append("  filesystem:\n");
        yaml.append("    rootdirectory: ").append(quoted(storage.toAbsolutePath().toString())).append('\n');
        yaml.append("  delete:\n");
        yaml.append("    enabled: true\n");
        yaml.append("  redirect:\n");
        yaml.append("    disable: true\n");
        yaml.append("  maintenance:\n");
        yaml.append("    uploadpurging:\n");
        yaml.append("      enabled: false\n");
        yaml.append("http:\n");
        yaml.append("  addr: 127.0.0.1:").append(port).append('\n');
        yaml.append("  secret: cachalot-test-fixture-secret\n");
        yaml.append("  headers:\n");
        yaml.append("    X-Content-Type-Options: [nosniff]\n");
        if (options.tlsCertificate != null) {
            yaml.append("  tls:\n");
            yaml.append("    certificate: ").append(quoted(options.tlsCertificate.toAbsolutePath().toString())).append('\n');
            yaml.append("    key: ").append(quoted(options.tlsKey.toAbsolutePath().toString())).append('\n');
        }
        if (options.user != null) {
            yaml.append("auth:\n");
            yaml.append("  htpasswd:\n");
            yaml.append("    realm: cachalot-test\n");
            yaml.append("    path: ").append(quoted(root.resolve("htpasswd").toAbsolutePath().toString())).append('\n');
        }
        if (options.proxyRemoteUrl != null) {
            yaml.append("proxy:\n");
            yaml.append("  remoteurl: ").append(quoted(options.proxyRemoteUrl)).append('\n');
            if (options.proxyUser != null) {
                yaml.append("  username: ").append(quoted(options.proxyUser)).append('\n');
                yaml.append("  password: ").append(quoted(options.proxyPassword)).append('\n');
            }
        }
        try {
            Files.writeString(configFile, yaml.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String quoted(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    private void launch() {
        ProcessBuilder pb = new ProcessBuilder(BINARY, "serve", configFile.toString())
                .redirectOutput(ProcessBuilder.Redirect.appendTo(accessLogFile.toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
        // the registry also reads REGISTRY_* variables: a stray one in the environment must not change our config
        pb.environment().keySet().removeIf(k -> k.startsWith("REGISTRY_"));
        long logOffset = size(logFile);
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + BINARY, e);
        }
        Process started = process;
        shutdownHook = new Thread(started::destroyForcibly, "docker-registry-" + port + "-killer");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        awaitReady(started, logOffset);
    }

    private void awaitReady(Process started, long logOffset) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        HttpRequest ping = HttpRequest.newBuilder(URI.create(url() + "/v2/"))
                .timeout(Duration.ofSeconds(2)).GET().build();
        while (true) {
            if (!started.isAlive()) {
                String log = tail(logOffset);
                process = null;
                removeShutdownHook();
                if (log.contains("address already in use")) {
                    throw new PortTakenException(log);
                }
                throw new IllegalStateException("docker-registry exited with " + started.exitValue()
                        + " before it answered GET /v2/. Log:\n" + log);
            }
            try {
                HttpResponse<Void> response = http.send(ping, HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200 || response.statusCode() == 401) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for docker-registry", e);
            }
            if (System.nanoTime() > deadline) {
                stop();
                throw new IllegalStateException("docker-registry did not answer GET /v2/ within "
                        + READY_TIMEOUT.toSeconds() + " s. Log:\n" + tail(logOffset));
            }
            sleep(50);
        }
    }

    private String tail(long offset) {
        try {
            byte[] all = Files.readAllBytes(logFile);
            int from = (int) Math.min(offset, all.length);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private void removeShutdownHook() {
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException ignored) {
                // JVM already shutting down
            }
            shutdownHook = null;
        }
    }

    private static void awaitQuietFile(Path file) {
        long last = -1;
        for (int i = 0; i < 40; i++) {
            long now = size(file);
            if (now == last) {
                return;
            }
            last = now;
            sleep(50);
        }
    }

    private static long size(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static java.io.File nullDevice() {
        return new java.io.File("/dev/null");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static final class PortTakenException extends RuntimeException {
        PortTakenException(String log) {
            super(log);
        }
    }

    @Override
    public String toString() {
        return "docker-registry at " + url() + (options.proxyRemoteUrl != null ? " (proxy)" : "");
    }
}
