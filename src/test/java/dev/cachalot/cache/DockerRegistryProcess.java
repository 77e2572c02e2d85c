package dev.cachalot.cache;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import org.mindrot.jbcrypt.BCrypt;

/**
 * Debian's real {@code docker-registry} (CNCF distribution) on a free 127.0.0.1 port with a temp folder, optionally
 * behind htpasswd basic auth, plus a minimal pusher on the JDK HttpClient. Minimal on purpose: a shared fixture is
 * being written on the {@code test-fixtures} branch and may replace it.
 */
final class DockerRegistryProcess implements AutoCloseable {

    private final Process process;
    private final int port;
    private final String basicAuth;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private DockerRegistryProcess(Process process, int port, String basicAuth) {
        this.process = process;
        this.port = port;
        this.basicAuth = basicAuth;
    }

    static DockerRegistryProcess start(Path dir) throws Exception {
        return start(dir, null, null);
    }

    /** With {@code user} non-null the registry requires htpasswd basic auth for that user and password. */
    static DockerRegistryProcess start(Path dir, String user, String password) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        StringBuilder config = new StringBuilder()
                .append("version: 0.1\n")
                .append("log:\n  level: error\n  accesslog:\n    disabled: true\n")
                .append("storage:\n  filesystem:\n    rootdirectory: ").append(dir.resolve("data")).append('\n')
                .append("http:\n  addr: 127.0.0.1:").append(port).append("\n  secret: test-secret\n");
        String basic = null;
        if (user != null) {
            Path htpasswd = dir.resolve("htpasswd");
            Files.writeString(htpasswd, user + ":" + BCrypt.hashpw(password, BCrypt.gensalt(4)) + "\n");
            config.append("auth:\n  htpasswd:\n    realm: cachalot-test\n    path: ").append(htpasswd).append('\n');
            basic = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        }
        Path configFile = dir.resolve("config.yml");
        Files.writeString(configFile, config);
        Process p = new ProcessBuilder("/usr/bin/docker-registry", "serve", configFile.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
        DockerRegistryProcess registry = new DockerRegistryProcess(p, port, basic);
        registry.awaitReady();
        return registry;
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    String loginServer() {
        return "127.0.0.1:" + port;
    }

    private void awaitReady() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new IllegalStateException("docker-registry exited: " + process.exitValue());
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(endpoint().resolve("/v2/")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200 || r.statusCode() == 401) return;
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("docker-registry did not start on port " + port);
    }

    /** Pushes a blob (monolithic upload) and returns its digest. */
    String pushBlob(String repository, byte[] content) throws Exception {
        String digest = sha256(content);
        HttpResponse<Void> start = http.send(authorized(HttpRequest.newBuilder(endpoint().resolve("/v2/" + repository + "/blobs/uploads/")))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        check(start, 202);
        String location = start.headers().firstValue("Location").orElseThrow();
        URI upload = endpoint().resolve(location);
        String sep = upload.getRawQuery() == null ? "?" : "&";
        URI put = URI.create(upload + sep + "digest=" + digest);
        check(http.send(authorized(HttpRequest.newBuilder(put)).header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(content)).build(), HttpResponse.BodyHandlers.discarding()), 201);
        return digest;
    }

    void pushManifest(String repository, String reference, String mediaType, byte[] manifest) throws Exception {
        check(http.send(authorized(HttpRequest.newBuilder(endpoint().resolve("/v2/" + repository + "/manifests/" + reference)))
                .header("Content-Type", mediaType).PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)).build(),
                HttpResponse.BodyHandlers.discarding()), 201);
    }

    private HttpRequest.Builder authorized(HttpRequest.Builder b) {
        return basicAuth == null ? b : b.header("Authorization", basicAuth);
    }

    private static void check(HttpResponse<?> r, int expected) {
        if (r.statusCode() != expected) {
            throw new IllegalStateException("registry answered " + r.statusCode() + " to " + r.request().method() + " " + r.uri());
        }
    }

    static String sha256(byte[] content) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(content));
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
