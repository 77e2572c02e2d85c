package dev.cachalot.registry;

import ch.qos.logback.classic.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.slf4j.LoggerFactory;

/** A real {@link RegistryServer} on a free loopback port over an {@link InMemoryBackend}, and an HTTP/1.1 client. */
abstract class RegistryTestSupport {

    static {
        // Jetty's debug logging would drown the test output (logback's default level is DEBUG).
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("org.eclipse.jetty")).setLevel(Level.WARN);
    }

    // One server per test class (stopping Jetty gracefully takes about a second); the backend is emptied per test.
    static InMemoryBackend backend;
    static RegistryServer server;
    static HttpClient client;

    @BeforeAll
    static void startServer() throws Exception {
        backend = new InMemoryBackend();
        server = new RegistryServer(backend);
        server.start("127.0.0.1", 0);
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @BeforeEach
    void emptyBackend() {
        backend.clear();
    }

    @AfterAll
    static void stopServer() {
        server.stop();
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).timeout(Duration.ofSeconds(30));
    }

    HttpResponse<byte[]> get(String path) throws Exception {
        return client.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpResponse<byte[]> head(String path) throws Exception {
        return client.send(request(path).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
    }

    static String errorBody(String code) {
        return "\"code\":\"" + code + "\"";
    }
}
