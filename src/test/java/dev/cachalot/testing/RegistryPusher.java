package dev.cachalot.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * Pushes {@link TestImage}s to a registry with the distribution API and the JDK HttpClient: blobs by a
 * monolithic upload (POST, then PUT {@code ?digest=}; streamed from disk for big ones; skipped when a HEAD finds
 * them), then manifests with their media type as {@code Content-Type}.
 *
 * <pre>{@code
 * RegistryPusher pusher = new RegistryPusher(upstream.url());            // or .withBasicAuth("u", "p")
 * PushedImage pushed = pusher.push("library/hello", "v1", images.dockerImage());
 * skopeo.copy(pushed.reference(upstream.hostPort()), dir);                 // 127.0.0.1:PORT/library/hello:v1
 * }</pre>
 */
public final class RegistryPusher {
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    private final String baseUrl;
    private final String authorization;
    private final HttpClient http;

    public RegistryPusher(String baseUrl) {
        this(baseUrl, null);
    }

    private RegistryPusher(String baseUrl, String authorization) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.authorization = authorization;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** The same pusher sending HTTP basic auth on every request. */
    public RegistryPusher withBasicAuth(String user, String password) {
        String token = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return new RegistryPusher(baseUrl, "Basic " + token);
    }

    /** An image pushed under {@code repository:tag}. */
    public record PushedImage(String repository, String tag, TestImage image) {
        /** {@code host:port/repository:tag} for skopeo and friends. */
        public String reference(String hostPort) {
            return hostPort + "/" + repository + ":" + tag;
        }

        /** {@code host:port/repository@digest}. */
        public String digestReference(String hostPort) {
            return hostPort + "/" + repository + "@" + image.digest();
        }
    }

    /**
     * Pushes every blob, the platform manifests of an index (by digest), then the manifest under {@code tag}
     * ({@code tag} null: by digest only). An artifact's subject must already be in the repository.
     */
    public PushedImage push(String repository, String tag, TestImage image) {
        for (TestBlob blob : image.blobs()) {
            pushBlob(repository, blob);
        }
        for (TestImage child : image.platformImages()) {
            pushManifest(repository, child.digest(), child);
        }
        pushManifest(repository, tag != null ? tag : image.digest(), image);
        return new PushedImage(repository, tag, image);
    }

    /** Uploads a blob unless the registry has it already. */
    public void pushBlob(String repository, TestBlob blob) {
        String blobUrl = baseUrl + "/v2/" + repository + "/blobs/" + blob.digest();
        HttpResponse<Void> head = send(request(blobUrl).method("HEAD", HttpRequest.BodyPublishers.noBody()),
                HttpResponse.BodyHandlers.discarding());
        if (head.statusCode() == 200) {
            return;
        }
        HttpResponse<String> start = send(request(baseUrl + "/v2/" + repository + "/blobs/uploads/")
                .POST(HttpRequest.BodyPublishers.noBody()), HttpResponse.BodyHandlers.ofString());
        expect(start, 202, "start upload of " + blob.digest());
        String location = start.headers().firstValue("Location")
                .orElseThrow(() -> new AssertionError("upload start without Location: " + start));
        String uploadUrl = URI.create(baseUrl + "/").resolve(location).toString();
        uploadUrl += (uploadUrl.contains("?") ? "&" : "?") + "digest=" + blob.digest();
        HttpResponse<String> put = send(request(uploadUrl)
                .header("Content-Type", "application/octet-stream")
                .PUT(blob.bodyPublisher()), HttpResponse.BodyHandlers.ofString());
        expect(put, 201, "upload of " + blob.digest());
    }

    /** PUTs a manifest under a tag or digest with its media type, and checks the registry's digest. */
    public void pushManifest(String repository, String reference, TestImage image) {
        HttpResponse<String> put = send(request(baseUrl + "/v2/" + repository + "/manifests/" + reference)
                .header("Content-Type", image.mediaType())
                .PUT(HttpRequest.BodyPublishers.ofByteArray(image.manifest())), HttpResponse.BodyHandlers.ofString());
        expect(put, 201, "manifest " + repository + ":" + reference);
        Optional<String> digest = put.headers().firstValue("Docker-Content-Digest");
        if (digest.isPresent() && !digest.get().equals(image.digest())) {
            throw new AssertionError("registry stored manifest " + reference + " as " + digest.get()
                    + " but its bytes hash to " + image.digest());
        }
    }

    /** Deletes a manifest by digest (the tag then disappears too). */
    public void deleteManifest(String repository, String digest) {
        HttpResponse<String> response = send(request(baseUrl + "/v2/" + repository + "/manifests/" + digest)
                .DELETE(), HttpResponse.BodyHandlers.ofString());
        expect(response, 202, "delete manifest " + digest);
    }

    private HttpRequest.Builder request(String url) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT);
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        return builder;
    }

    private <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> handler) {
        HttpRequest built = request.build();
        try {
            return http.send(built, handler);
        } catch (IOException e) {
            throw new AssertionError("push request failed: " + built.method() + " " + built.uri() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static void expect(HttpResponse<?> response, int status, String what) {
        if (response.statusCode() != status) {
            throw new AssertionError(what + ": expected HTTP " + status + " but got " + response.statusCode()
                    + " from " + response.request().method() + " " + response.request().uri() + ": " + response.body());
        }
    }
}
