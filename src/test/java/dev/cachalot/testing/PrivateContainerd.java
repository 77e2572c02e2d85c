package dev.cachalot.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Debian's containerd run as a private daemon on a temp folder (its own root, state and socket; the CRI plugin off),
 * so {@code ctr} can pull as a user's node would, without touching a system containerd. Needs root, as containerd does.
 * Public for the server-mode tests (ctr signing in through the token endpoint).
 */
public final class PrivateContainerd implements AutoCloseable {
    public static final String CONTAINERD = "/usr/bin/containerd";
    public static final String CTR = "/usr/bin/ctr";

    private final Path folder;
    private final Path socket;
    private final Process process;

    private PrivateContainerd(Path folder, Path socket, Process process) {
        this.folder = folder;
        this.socket = socket;
        this.process = process;
    }

    public static PrivateContainerd start(Path folder) {
        for (String binary : List.of(CONTAINERD, CTR)) {
            if (!Files.isExecutable(Path.of(binary))) {
                throw new AssertionError(binary + " is missing: apt-get install -y --no-install-recommends containerd");
            }
        }
        try {
            Files.createDirectories(folder);
            Path socket = folder.resolve("c.sock");
            Path config = Files.writeString(folder.resolve("config.toml"), """
                    version = 2
                    root = "%s"
                    state = "%s"
                    disabled_plugins = ["io.containerd.grpc.v1.cri"]
                    [grpc]
                      address = "%s"
                    [ttrpc]
                      address = "%s.ttrpc"
                    """.formatted(folder.resolve("root"), folder.resolve("state"), socket, socket));
            Process process = new ProcessBuilder(CONTAINERD, "--config", config.toString())
                    .redirectErrorStream(true).redirectOutput(folder.resolve("containerd.log").toFile()).start();
            PrivateContainerd containerd = new PrivateContainerd(folder, socket, process);
            containerd.awaitReady();
            return containerd;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitReady() throws IOException {
        PrivateDaemons.awaitReady("containerd", process, folder.resolve("containerd.log"), Duration.ofSeconds(30),
                Duration.ofMillis(100), () -> Files.exists(socket) && ctr(Duration.ofSeconds(10), "version").exitCode() == 0);
    }

    /** Runs {@code ctr} against this daemon, in a namespace of its own. */
    public PrivateDaemons.Result ctr(Duration timeout, String... args) {
        List<String> command = new ArrayList<>(List.of(CTR, "--address", socket.toString(), "--namespace", "cachalot-test"));
        command.addAll(List.of(args));
        return PrivateDaemons.run(folder, "ctr", timeout, command);
    }

    @Override
    public void close() {
        Processes.stop(process, Duration.ofSeconds(10));
    }
}
