package dev.cachalot.testing;

import dev.cachalot.storage.S3Credentials;
import dev.cachalot.storage.S3Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A real S3-compatible server: S3Proxy (Maven Central {@code org.gaul:s3proxy}, its {@code jar-with-dependencies})
 * as its own Java process on a free loopback port, with jclouds' filesystem backend in a temp folder and one bucket.
 * The build copies the jar to {@code target/test-servers/s3proxy.jar} (maven-dependency-plugin, phase
 * generate-test-resources) and names it in the system property {@value #JAR_PROPERTY}. {@link #close} stops the
 * process it started, by its PID.
 */
public final class S3ProxyServer implements AutoCloseable {
    public static final String JAR_PROPERTY = "cachalot.test.s3proxy.jar";
    public static final String BUCKET = "cachalot-test";
    public static final String REGION = "us-east-1";
    public static final S3Credentials CREDENTIALS = new S3Credentials("cachalot-test-id", "cachalot-test-secret-0123456789");

    private final Process process;
    private final int port;
    private final Path folder;

    private S3ProxyServer(Process process, int port, Path folder) {
        this.process = process;
        this.port = port;
        this.folder = folder;
    }

    /** Starts S3Proxy with its data, properties and log under {@code folder}; waits until it accepts connections. */
    public static S3ProxyServer start(Path folder) {
        Path jar = requireJar();
        try {
            Path data = folder.resolve("data");
            // The filesystem backend keeps a bucket as a folder under its base folder.
            Files.createDirectories(data.resolve(BUCKET));
            AssertionError last = null;
            for (int attempt = 0; attempt < 3; attempt++) {
                int port = Ports.free();
                Path properties = folder.resolve("s3proxy.properties");
                Files.writeString(properties, String.join("\n", List.of(
                        "s3proxy.endpoint=http://127.0.0.1:" + port,
                        "s3proxy.authorization=aws-v2-or-v4",
                        "s3proxy.identity=" + CREDENTIALS.accessKeyId(),
                        "s3proxy.credential=" + CREDENTIALS.secretAccessKey(),
                        "jclouds.provider=filesystem",
                        "jclouds.filesystem.basedir=" + data)) + "\n");
                Path log = folder.resolve("s3proxy.log");
                String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
                Process process = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar", jar.toString(),
                        "--properties", properties.toString())
                        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
                S3ProxyServer server = new S3ProxyServer(process, port, folder);
                try {
                    server.awaitReady(Duration.ofSeconds(60));
                    return server;
                } catch (AssertionError e) {
                    server.close();
                    last = new AssertionError(e.getMessage() + "\ns3proxy's log:\n" + Files.readString(log), e);
                }
            }
            throw last;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path requireJar() {
        String configured = System.getProperty(JAR_PROPERTY);
        Path jar = configured == null ? Path.of("target/test-servers/s3proxy.jar") : Path.of(configured);
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError("""

                    ************************************************************************
                    * MISSING TEST DEPENDENCY: S3Proxy's jar not found at %s
                    * The Maven build fetches org.gaul:s3proxy (classifier jar-with-dependencies) from
                    * Maven Central and copies it there in the generate-test-resources phase:
                    *     mvn -B generate-test-resources     (or ./scripts/test.sh, or mvn test)
                    * Tests never skip without it.
                    ************************************************************************
                    """.formatted(jar.toAbsolutePath()));
        }
        return jar;
    }

    private void awaitReady(Duration limit) {
        Instant deadline = Instant.now().plus(limit);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new AssertionError("s3proxy exited with " + process.exitValue() + " before it listened on " + port);
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                sleep(100);
            }
        }
        throw new AssertionError("s3proxy did not listen on port " + port + " within " + limit);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    /** The folder the filesystem backend keeps the bucket in (objects are plain files there). */
    public Path bucketFolder() {
        return folder.resolve("data").resolve(BUCKET);
    }

    /** Settings for a store on this server's bucket under {@code prefix} (empty, or ending in {@code /}). */
    public S3Settings settings(String prefix) {
        return S3Settings.of(endpoint(), REGION, BUCKET, prefix, CREDENTIALS);
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        Processes.stop(process, Duration.ofSeconds(10));
    }
}
