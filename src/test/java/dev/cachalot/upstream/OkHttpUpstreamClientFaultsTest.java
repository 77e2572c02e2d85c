package dev.cachalot.upstream;

import static dev.cachalot.testing.LoopbackHttpServer.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachalot.oci.Digest;
import dev.cachalot.oci.MediaTypes;
import dev.cachalot.rules.AuthMode;
import dev.cachalot.rules.Upstream;
import dev.cachalot.testing.LoopbackHttpServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Retries, rate limits and content checks. The faults are scripted by an in-test HTTP server on 127.0.0.1
 * ({@link LoopbackHttpServer}): a real registry cannot be made to answer 503, 429 or a lying digest on demand.
 * Backoff waits are recorded instead of slept.
 */
class OkHttpUpstreamClientFaultsTest {

    private static final String REPO = "team/app";
    private static final String PATH = "/v2/" + REPO + "/manifests/v1";
    private static final byte[] MANIFEST = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee\",\"size\":2},\"layers\":[]}")
            .getBytes(StandardCharsets.UTF_8);

    private final LoopbackHttpServer server = new LoopbackHttpServer();
    private final List<Duration> waits = new CopyOnWriteArrayList<>();
    private final OkHttpUpstreamClient client = new OkHttpUpstreamClient(UpstreamCredentials.NONE,
            UpstreamHttpSettings.defaults().withRetryPolicy(RetryPolicy.defaults().withSleeper(waits::add)));

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    private UpstreamRequest request(String base) {
        return new UpstreamRequest(new Upstream("fake", URI.create(base).getAuthority(), URI.create(base), AuthMode.BOTH, null, false),
                REPO, null);
    }

    private UpstreamManifest fetch() {
        return client.fetchManifest(request(server.base()), "v1", MediaTypes.DEFAULT_ACCEPT);
    }

    private void serveManifest(com.sun.net.httpserver.HttpExchange ex, byte[] body, String digest) throws java.io.IOException {
        if (digest != null) ex.getResponseHeaders().set("Docker-Content-Digest", digest);
        send(ex, 200, MediaTypes.OCI_MANIFEST, body);
    }

    @Test
    void retriesA503AndReturnsTheLaterAnswer() {
        AtomicInteger calls = new AtomicInteger();
        server.route(PATH, ex -> {
            if (calls.incrementAndGet() == 1) send(ex, 503, "text/plain", "busy");
            else serveManifest(ex, MANIFEST, null);
        });
        assertThat(fetch().body()).isEqualTo(MANIFEST);
        assertThat(calls).hasValue(2);
        assertThat(waits).hasSize(1);
        assertThat(waits.get(0)).isBetween(Duration.ofMillis(100), Duration.ofMillis(200));
    }

    @Test
    void persistent503IsUnavailableAfterBoundedAttempts() {
        server.route(PATH, ex -> send(ex, 503, "text/plain", "down"));
        assertThatThrownBy(this::fetch).isInstanceOfSatisfying(UpstreamException.class, e -> {
            assertThat(e.kind()).isEqualTo(UpstreamException.Kind.UNAVAILABLE);
            assertThat(e.status()).isEqualTo(503);
            assertThat(e.getMessage()).contains("127.0.0.1:" + server.port()).contains("503");
        });
        assertThat(server.requestsTo(PATH)).hasSize(RetryPolicy.defaults().maxAttempts());
    }

    @Test
    void waitsAsLongAsRetryAfterSaysWhenItFits() {
        AtomicInteger calls = new AtomicInteger();
        server.route(PATH, ex -> {
            if (calls.incrementAndGet() == 1) {
                ex.getResponseHeaders().set("Retry-After", "2");
                send(ex, 429, "application/json", "{}");
            } else {
                serveManifest(ex, MANIFEST, null);
            }
        });
        assertThat(fetch().body()).isEqualTo(MANIFEST);
        assertThat(waits).containsExactly(Duration.ofSeconds(2));
    }

    @Test
    void retryAfterBeyondTheBoundFailsAtOnceAsRateLimited() {
        server.route(PATH, ex -> {
            ex.getResponseHeaders().set("Retry-After", "3600");
            send(ex, 429, "application/json", "{}");
        });
        assertThatThrownBy(this::fetch).isInstanceOfSatisfying(UpstreamException.class, e -> {
            assertThat(e.kind()).isEqualTo(UpstreamException.Kind.RATE_LIMITED);
            assertThat(e.retryAfterSeconds()).isEqualTo(3600L);
        });
        assertThat(server.requestsTo(PATH)).hasSize(1);
        assertThat(waits).isEmpty();
    }

    @Test
    void refusedConnectionIsRetriedThenUnavailable() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        assertThatThrownBy(() -> client.fetchManifest(request("http://127.0.0.1:" + closedPort), "v1", MediaTypes.DEFAULT_ACCEPT))
                .isInstanceOfSatisfying(UpstreamException.class, e -> {
                    assertThat(e.kind()).isEqualTo(UpstreamException.Kind.UNAVAILABLE);
                    assertThat(e.status()).isZero();
                });
        assertThat(waits).hasSize(RetryPolicy.defaults().maxAttempts() - 1);
    }

    @Test
    void bodyNotMatchingDockerContentDigestIsAProtocolError() {
        server.route(PATH, ex -> serveManifest(ex, MANIFEST, "sha256:" + "0".repeat(64)));
        assertThatThrownBy(this::fetch).isInstanceOfSatisfying(UpstreamException.class,
                e -> assertThat(e.kind()).isEqualTo(UpstreamException.Kind.PROTOCOL));
    }

    @Test
    void bodyNotMatchingTheRequestedDigestIsAProtocolError() {
        String asked = "sha256:" + "a".repeat(64);
        server.route("/v2/" + REPO + "/manifests/" + asked, ex -> serveManifest(ex, MANIFEST, null));
        assertThatThrownBy(() -> client.fetchManifest(request(server.base()), asked, MediaTypes.DEFAULT_ACCEPT))
                .isInstanceOfSatisfying(UpstreamException.class,
                        e -> assertThat(e.kind()).isEqualTo(UpstreamException.Kind.PROTOCOL));
    }

    @Test
    void manifestOverTheSizeLimitIsAProtocolError() {
        byte[] huge = new byte[(int) OkHttpUpstreamClient.MAX_MANIFEST_BYTES + 1];
        server.route(PATH, ex -> serveManifest(ex, huge, null));
        assertThatThrownBy(this::fetch).isInstanceOfSatisfying(UpstreamException.class,
                e -> assertThat(e.kind()).isEqualTo(UpstreamException.Kind.PROTOCOL));
    }

    @Test
    void sendsTheAcceptListAsOneHeader() {
        List<String> seen = new CopyOnWriteArrayList<>();
        server.route(PATH, ex -> {
            seen.add(ex.getRequestHeaders().getFirst("Accept"));
            serveManifest(ex, MANIFEST, null);
        });
        client.fetchManifest(request(server.base()), "v1", List.of(MediaTypes.DOCKER_MANIFEST, MediaTypes.OCI_MANIFEST));
        assertThat(seen).containsExactly(MediaTypes.DOCKER_MANIFEST + ", " + MediaTypes.OCI_MANIFEST);
    }

    @Test
    void headWithoutDigestFallsBackToGetAndComputesIt() {
        server.route(PATH, ex -> {
            if (ex.getRequestMethod().equals("HEAD")) send(ex, 200, MediaTypes.OCI_MANIFEST, new byte[0]);
            else serveManifest(ex, MANIFEST, null);
        });
        var head = client.headManifest(request(server.base()), "v1", MediaTypes.DEFAULT_ACCEPT);
        assertThat(head.digest()).isEqualTo(Digest.of("sha256", MANIFEST));
        assertThat(head.size()).isEqualTo(MANIFEST.length);
        assertThat(server.requestsTo(PATH)).extracting(LoopbackHttpServer.Seen::method).containsExactly("HEAD", "GET");
    }

    @Test
    void followsTagListPagesOnTheSameUpstream() {
        String list = "/v2/" + REPO + "/tags/list";
        server.route(list, ex -> {
            if (ex.getRequestURI().getRawQuery() == null) {
                ex.getResponseHeaders().set("Link", "<" + list + "?n=2&last=b>; rel=\"next\"");
                send(ex, 200, "application/json", "{\"name\":\"team/app\",\"tags\":[\"a\",\"b\"]}");
            } else {
                send(ex, 200, "application/json", "{\"name\":\"team/app\",\"tags\":[\"c\"]}");
            }
        });
        assertThat(client.tags(request(server.base()))).containsExactly("a", "b", "c");
    }

    @Test
    void httpsToHttpRedirectIsRefused() {
        var call = new UpstreamCall(request("https://registry.example").upstream(),
                okhttp3.HttpUrl.get("https://registry.example"), REPO, null, null);
        var previous = new okhttp3.Request.Builder().url("https://registry.example/v2/team/app/blobs/x")
                .header("Authorization", "Bearer t").build();
        assertThatThrownBy(() -> ScopedRedirectInterceptor.next(previous, previous.url(), "http://cdn.example/blob", call))
                .isInstanceOfSatisfying(UpstreamFailure.class,
                        e -> assertThat(e.kind()).isEqualTo(UpstreamException.Kind.PROTOCOL));
    }

    @Test
    void redirectWithinTheOriginKeepsAuthorizationAndAcrossSchemesOrPortsDropsIt() throws Exception {
        var call = new UpstreamCall(request("http://127.0.0.1:5000").upstream(),
                okhttp3.HttpUrl.get("http://127.0.0.1:5000"), REPO, null, null);
        var previous = new okhttp3.Request.Builder().url("http://127.0.0.1:5000/v2/team/app/blobs/x")
                .header("Authorization", "Bearer t").build();
        assertThat(ScopedRedirectInterceptor.next(previous, previous.url(), "/other", call).header("Authorization")).isEqualTo("Bearer t");
        assertThat(ScopedRedirectInterceptor.next(previous, previous.url(), "http://127.0.0.1:5001/x", call).header("Authorization")).isNull();
        assertThat(ScopedRedirectInterceptor.next(previous, previous.url(), "https://127.0.0.1:5000/x", call).header("Authorization")).isNull();
    }
}
