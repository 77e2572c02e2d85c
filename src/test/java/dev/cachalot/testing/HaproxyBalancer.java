package dev.cachalot.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Debian's HAProxy in front of one engine, as docs/deploy/haproxy.cfg has it: {@code mode tcp} (whatever the engine
 * speaks passes through untouched) and {@code send-proxy-v2}, so every connection to the engine starts with a PROXY
 * protocol v2 header naming the client. Its health checks send the header too (HAProxy's default with send-proxy-v2).
 * Listens on a free loopback port; stopped by {@link #close()}.
 */
public final class HaproxyBalancer implements AutoCloseable {
    private static final Path HAPROXY = Path.of("/usr/sbin/haproxy");

    private final Process process;
    private final int port;
    private final Path log;

    private HaproxyBalancer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts a balancer in {@code folder} (configuration and log) in front of {@code 127.0.0.1:enginePort}. */
    public static HaproxyBalancer proxyProtocolTo(Path folder, int enginePort) throws IOException {
        RequiredBinary.require(HAPROXY.toString(), "haproxy");
        Files.createDirectories(folder);
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            int port = Ports.free();
            Path config = folder.resolve("haproxy.cfg");
            Files.writeString(config, """
                    global
                        maxconn 256

                    defaults
                        mode tcp
                        timeout connect 5s
                        timeout client 1m
                        timeout server 1m

                    frontend cachalot
                        bind 127.0.0.1:%d
                        default_backend engine

                    backend engine
                        server engine 127.0.0.1:%d send-proxy-v2 check inter 1s
                    """.formatted(port, enginePort));
            Path log = folder.resolve("haproxy-" + attempt + ".log");
            Process process = new ProcessBuilder(HAPROXY.toString(), "-f", config.toString(), "-db")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (answers(port, process)) return new HaproxyBalancer(process, port, log);
            Processes.stop(process, Duration.ofSeconds(5));
            last = new IOException("HAProxy did not listen on 127.0.0.1:" + port + "; its log:\n" + Files.readString(log));
        }
        throw last;
    }

    /** True once something accepts on the port; false when HAProxy exited first (its port was taken meanwhile). */
    private static boolean answers(int port, Process process) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) return false;
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
                return true;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return false;
    }

    public int port() {
        return port;
    }

    /** HAProxy's own output so far (for failure messages). */
    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        Processes.stop(process, Duration.ofSeconds(10));
    }
}
