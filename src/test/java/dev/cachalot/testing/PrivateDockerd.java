package dev.cachalot.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cachalot.oci.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Debian's dockerd run as a private daemon on a temp folder (its own data, exec root, pid file and socket; no iptables,
 * no bridge, vfs storage), reading a {@code daemon.json} as a user would write it. When its mirror answers an error,
 * dockerd falls back to Docker Hub: it runs in a mount namespace of its own whose {@code /etc/hosts} maps Docker Hub's
 * hosts to 127.0.0.1, so that fallback stays on this machine. Needs root, as dockerd does.
 */
public final class PrivateDockerd implements AutoCloseable {
    public static final String DOCKERD = "/usr/sbin/dockerd";
    public static final String DOCKER = "/usr/bin/docker";
    private static final List<String> DOCKER_HUB_HOSTS = List.of("registry-1.docker.io", "index.docker.io", "auth.docker.io",
            "production.cloudflare.docker.com");

    private final Path folder;
    private final Path socket;
    private final Process process;

    private PrivateDockerd(Path folder, Path socket, Process process) {
        this.folder = folder;
        this.socket = socket;
        this.process = process;
    }

    /** Starts dockerd with {@code daemonJson} (a user's daemon.json) plus the settings that keep it private. */
    public static PrivateDockerd start(Path folder, String daemonJson) {
        for (String binary : List.of(DOCKERD, DOCKER, "/usr/bin/unshare")) {
            if (!Files.isExecutable(Path.of(binary))) {
                throw new AssertionError(binary + " is missing: apt-get install -y --no-install-recommends docker.io");
            }
        }
        try {
            Files.createDirectories(folder);
            ObjectNode config = (ObjectNode) Json.mapper().readTree(daemonJson);
            config.put("iptables", false).put("bridge", "none").put("storage-driver", "vfs").put("ip-forward", false)
                    .put("ip-masq", false);
            Path configFile = folder.resolve("daemon.json");
            Files.writeString(configFile, Json.mapper().writeValueAsString(config));
            Path hosts = Files.writeString(folder.resolve("hosts"),
                    "127.0.0.1 localhost\n127.0.0.1 " + String.join(" ", DOCKER_HUB_HOSTS) + "\n");
            Path socket = folder.resolve("docker.sock");
            String dockerd = String.join(" ", DOCKERD, "--config-file", configFile.toString(), "--data-root", folder.resolve("root").toString(),
                    "--exec-root", folder.resolve("exec").toString(), "--pidfile", folder.resolve("docker.pid").toString(),
                    "-H", "unix://" + socket);
            Process process = new ProcessBuilder("/usr/bin/unshare", "--mount", "--propagation", "private", "sh", "-c",
                    "mount --bind " + hosts + " /etc/hosts && exec " + dockerd)
                    .redirectErrorStream(true).redirectOutput(folder.resolve("dockerd.log").toFile()).start();
            PrivateDockerd daemon = new PrivateDockerd(folder, socket, process);
            daemon.awaitReady();
            return daemon;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitReady() throws IOException {
        PrivateDaemons.awaitReady("dockerd", process, folder.resolve("dockerd.log"), Duration.ofSeconds(60),
                Duration.ofMillis(200), () -> Files.exists(socket) && docker(Duration.ofSeconds(10), "version").exitCode() == 0);
    }

    /** Runs the docker CLI against this daemon. */
    public PrivateDaemons.Result docker(Duration timeout, String... args) {
        List<String> command = new ArrayList<>(List.of(DOCKER, "-H", "unix://" + socket));
        command.addAll(List.of(args));
        return PrivateDaemons.run(folder, "docker", timeout, command);
    }

    /** The daemon's log so far (for failure messages). */
    public String log() {
        try {
            return Files.readString(folder.resolve("dockerd.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        // dockerd stops its own containerd on SIGTERM; give it the time it takes
        Processes.stop(process, Duration.ofSeconds(20));
    }
}
