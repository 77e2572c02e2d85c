package dev.cachalot.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Plain HTTP calls to the management API of an engine in a child process, for tests that check the wire itself (status
 * codes, error bodies) or talk to an engine that is about to be killed. The API client (api.client.RemoteEngine) is
 * what the CLI and the app use; these calls stay below it.
 */
final class ManagementApiCalls {

    private final HttpClient http;
    private final Duration requestTimeout;

    ManagementApiCalls(Duration connectTimeout, Duration requestTimeout) {
        this.http = HttpClient.newBuilder().connectTimeout(connectTimeout).build();
        this.requestTimeout = requestTimeout;
    }

    /** {@code method path} under {@code /cachalot/api/v1} of the engine on the loopback {@code port}. */
    HttpResponse<String> send(int port, String method, String path, String body) {
        return send("http://127.0.0.1:" + port, method, path, body);
    }

    /** {@code method path} under {@code /cachalot/api/v1} of the engine at {@code engineUrl}; a body is sent as JSON. */
    HttpResponse<String> send(String engineUrl, String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(engineUrl + "/cachalot/api/v1" + path))
                .timeout(requestTimeout)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) request.header("Content-Type", "application/json");
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * {@code cachalot serve} on the loopback {@code port} in a child JVM (class path of the tests, {@code -Xmx256m} and
     * {@code jvmOptions}), its output in {@code log}, returned once {@code GET readyPath} of its API answers 200.
     */
    Process startServe(Path data, int port, Path log, String readyPath, Duration limit, String... jvmOptions) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m"));
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.cachalot.Main", "--data", data.toString(),
                "serve", "--listen", "127.0.0.1:" + port));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new AssertionError("serve exited with " + process.exitValue() + "\n" + Files.readString(log));
            }
            try {
                if (send(port, "GET", readyPath, null).statusCode() == 200) return process;
            } catch (UncheckedIOException e) {
                if (!(e.getCause() instanceof ConnectException)) throw e;
            }
            if (System.nanoTime() - deadline > 0) {
                process.destroyForcibly();
                throw new AssertionError("serve did not answer within " + limit + "\n" + Files.readString(log));
            }
            Thread.sleep(200);
        }
    }
}
