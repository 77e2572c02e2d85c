package dev.cachalot.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * Raw HTTP pulls for tests, through the JDK HttpClient: manifests with an explicit {@code Accept} (docker-registry
 * converts to schema 1 without one), blobs streamed through SHA-256 without holding them in memory.
 *
 * <pre>{@code
 * RegistryReader reader = new RegistryReader(engineUrl);
 * RegistryReader.Fetched m = reader.manifest("library/hello", "v1", TestImages.ACCEPT_ALL_MANIFESTS);
 * assertThat(m.digestHeader()).isEqualTo(image.digest());
 * RegistryReader.BlobRead b = reader.blob("library/hello", layer.digest());
 * assertThat(b.digest()).isEqualTo(layer.digest());
 * }</pre>
 */
public final class RegistryReader {
    private final String baseUrl;
    private final String authorization;
    private final HttpClient http;

    public RegistryReader(String baseUrl) {
        this(baseUrl, null);
    }

    private RegistryReader(String baseUrl, String authorization) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.authorization = authorization;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public RegistryReader withBasicAuth(String user, String password) {
        String token = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return new RegistryReader(baseUrl, "Basic " + token);
    }

    /** A response with its body in memory (manifests, error bodies, tag lists). */
    public record Fetched(int status, HttpHeaders headers, byte[] body) {
        public String digestHeader() {
            return headers.firstValue("Docker-Content-Digest").orElse(null);
        }

        public String contentType() {
            return headers.firstValue("Content-Type").orElse(null);
        }

        public String bodyDigest() {
            return Sha256.of(body);
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** A blob read to its end: status, headers, digest and byte count of the body actually received. */
    public record BlobRead(int status, HttpHeaders headers, String digest, long size) {
    }

    /** {@code GET /v2/<name>/manifests/<reference>} with this {@code Accept}. */
    public Fetched manifest(String repository, String reference, String accept) {
        return get("/v2/" + repository + "/manifests/" + reference, "Accept", accept);
    }

    /** {@code GET} of any path under the base URL, with optional header name/value pairs. */
    public Fetched get(String path, String... headerPairs) {
        HttpRequest.Builder request = request(path, headerPairs).GET();
        return send(request, HttpResponse.BodyHandlers.ofByteArray(),
                r -> new Fetched(r.statusCode(), r.headers(), r.body()));
    }

    /** {@code HEAD} of any path under the base URL. */
    public Fetched head(String path, String... headerPairs) {
        HttpRequest.Builder request = request(path, headerPairs).method("HEAD", HttpRequest.BodyPublishers.noBody());
        return send(request, HttpResponse.BodyHandlers.discarding(),
                r -> new Fetched(r.statusCode(), r.headers(), new byte[0]));
    }

    /**
     * {@code GET /v2/<name>/blobs/<digest>} streamed through SHA-256. A connection that breaks mid-body throws
     * {@link IOException} wrapped in {@link java.io.UncheckedIOException}.
     */
    public BlobRead blob(String repository, String digest, String... headerPairs) {
        HttpRequest.Builder request = request("/v2/" + repository + "/blobs/" + digest, headerPairs).GET();
        return send(request, HttpResponse.BodyHandlers.ofInputStream(), r -> {
            try (InputStream in = r.body()) {
                Sha256.Counted counted = Sha256.of(in);
                return new BlobRead(r.statusCode(), r.headers(), counted.digest(), counted.size());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("blob body broke off: " + digest, e);
            }
        });
    }

    private HttpRequest.Builder request(String path, String... headerPairs) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofMinutes(5));
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        for (int i = 0; i + 1 < headerPairs.length; i += 2) {
            builder.header(headerPairs[i], headerPairs[i + 1]);
        }
        return builder;
    }

    private <B, R> R send(HttpRequest.Builder request, HttpResponse.BodyHandler<B> handler,
                          java.util.function.Function<HttpResponse<B>, R> convert) {
        HttpRequest built = request.build();
        try {
            return convert.apply(http.send(built, handler));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(built.method() + " " + built.uri() + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
