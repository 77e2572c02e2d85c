package dev.cachalot.upstream;

import static dev.cachalot.testing.LoopbackHttpServer.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import dev.cachalot.oci.Digest;
import dev.cachalot.oci.MediaTypes;
import dev.cachalot.rules.AuthMode;
import dev.cachalot.rules.Upstream;
import dev.cachalot.testing.LoopbackHttpServer;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The bearer token flow and redirect scoping. No real token issuer or blob CDN runs here, so the registry, its
 * token realm and the CDN are small in-test HTTP servers on 127.0.0.1 ({@link LoopbackHttpServer}), each on its
 * own port. Decision under test: a realm on the endpoint's host (any port) may get credentials; a realm on
 * another host name, even one that also reaches loopback ({@code localhost} for a {@code 127.0.0.1} endpoint), is
 * foreign and is asked anonymously.
 */
class OkHttpUpstreamClientTokenAuthTest {

    private static final String REPO = "team/app";
    private static final byte[] MANIFEST = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST
            + "\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee\",\"size\":2},\"layers\":[]}").getBytes(StandardCharsets.UTF_8);
    private static final byte[] BLOB = "layer bytes from the cdn".getBytes(StandardCharsets.UTF_8);
    private static final String PASSWORD = "hunter2-very-secret";
    private static final String BASIC = "Basic " + java.util.Base64.getEncoder()
            .encodeToString(("puller:" + PASSWORD).getBytes(StandardCharsets.UTF_8));

    private LoopbackHttpServer registry;
    private LoopbackHttpServer issuer;
    private LoopbackHttpServer cdn;
    private final Set<String> validTokens = ConcurrentHashMap.newKeySet();
    private final AtomicInteger issued = new AtomicInteger();
    private volatile String realmHost = "127.0.0.1";
    private volatile String tokenJsonField = "token";

    @BeforeEach
    void startServers() {
        issuer = new LoopbackHttpServer().route("/token", this::issueToken);
        cdn = new LoopbackHttpServer().route("/cdn/blob", ex -> send(ex, 200, "application/octet-stream", BLOB));
        registry = new LoopbackHttpServer()
                .route("/v2/" + REPO + "/manifests/v1", ex -> {
                    if (authorized(ex)) {
                        ex.getResponseHeaders().set("Docker-Content-Digest", sha256(MANIFEST).toString());
                        ex.getResponseHeaders().set("ratelimit-limit", "100;w=21600");
                        ex.getResponseHeaders().set("ratelimit-remaining", "99;w=21600");
                        send(ex, 200, MediaTypes.OCI_MANIFEST, MANIFEST);
                    }
                })
                .route("/v2/" + REPO + "/blobs/" + sha256(BLOB), ex -> {
                    if (authorized(ex)) {
                        ex.getResponseHeaders().set("Location", cdn.base() + "/cdn/blob");
                        send(ex, 307, null, new byte[0]);
                    }
                });
    }

    @AfterEach
    void stopServers() {
        registry.close();
        issuer.close();
        cdn.close();
    }

    /** Accepts a currently valid bearer token, else answers 401 with a Bearer challenge naming the realm. */
    private boolean authorized(HttpExchange ex) throws IOException {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth != null && auth.startsWith("Bearer ") && validTokens.contains(auth.substring(7))) {
            return true;
        }
        ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"http://" + realmHost + ":" + issuer.port()
                + "/token\",service=\"fake-registry\",scope=\"repository:" + REPO + ":pull\"");
        send(ex, 401, "application/json", "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}");
        return false;
    }

    private void issueToken(HttpExchange ex) throws IOException {
        String token = "tok-" + issued.incrementAndGet();
        validTokens.add(token);
        send(ex, 200, "application/json", "{\"" + tokenJsonField + "\":\"" + token + "\",\"expires_in\":300}");
    }

    private Upstream upstream() {
        return new Upstream("fake", "127.0.0.1:" + registry.port(), URI.create(registry.base()), AuthMode.BOTH, null, false);
    }

    private OkHttpUpstreamClient client(UpstreamCredentials credentials) {
        return new OkHttpUpstreamClient(credentials, UpstreamHttpSettings.defaults()
                .withRetryPolicy(RetryPolicy.defaults().withSleeper(d -> { })));
    }

    @Test
    void anonymousPullGetsTokenFromRealmWithServiceAndScope() {
        try (var client = client(UpstreamCredentials.NONE)) {
            var m = client.fetchManifest(new UpstreamRequest(upstream(), REPO, null), "v1", MediaTypes.DEFAULT_ACCEPT);
            assertThat(m.body()).isEqualTo(MANIFEST);
        }
        assertThat(issuer.requestsTo("/token")).singleElement().satisfies(r -> {
            assertThat(r.authorization()).isNull();
            assertThat(r.query()).contains("service=fake-registry").contains("scope=repository%3Ateam%2Fapp%3Apull");
        });
    }

    @Test
    void realmOnTheEndpointHostGetsTheCredentialSetsLogin() {
        var creds = new OkHttpUpstreamClientRegistryTest.RecordingCredentials("puller", PASSWORD);
        try (var client = client(creds)) {
            client.fetchManifest(new UpstreamRequest(upstream(), REPO, "hub"), "v1", MediaTypes.DEFAULT_ACCEPT);
        }
        assertThat(issuer.requestsTo("/token")).singleElement().extracting(LoopbackHttpServer.Seen::authorization).isEqualTo(BASIC);
        // the registry itself only ever sees the token, never the login
        assertThat(registry.requests).extracting(LoopbackHttpServer.Seen::authorization).doesNotContain(BASIC);
        assertThat(creds.health).containsOnly("hub:healthy");
        assertThat(creds.passwordsCleared()).isTrue();
    }

    @Test
    void realmOnAForeignHostIsAskedAnonymouslyAndTheSetIsToldWhy() {
        realmHost = "localhost"; // reaches the same loopback issuer, but is not the endpoint's host
        var creds = new OkHttpUpstreamClientRegistryTest.RecordingCredentials("puller", PASSWORD);
        try (var client = client(creds)) {
            var m = client.fetchManifest(new UpstreamRequest(upstream(), REPO, "hub"), "v1", MediaTypes.DEFAULT_ACCEPT);
            assertThat(m.body()).isEqualTo(MANIFEST);
        }
        assertThat(issuer.requestsTo("/token")).singleElement().extracting(LoopbackHttpServer.Seen::authorization).isNull();
        assertThat(creds.handedOut).isEmpty();
        assertThat(creds.health).containsExactly("hub:TokenRealmRejected");
    }

    @Test
    void tokenIsCachedAcrossPullsOfTheSameRepository() throws Exception {
        tokenJsonField = "access_token";
        try (var client = client(UpstreamCredentials.NONE)) {
            var request = new UpstreamRequest(upstream(), REPO, null);
            client.fetchManifest(request, "v1", MediaTypes.DEFAULT_ACCEPT);
            client.fetchManifest(request, "v1", MediaTypes.DEFAULT_ACCEPT);
            try (UpstreamBlob blob = client.openBlob(request, sha256(BLOB))) {
                OkHttpUpstreamClientRegistryTest.readAll(blob);
            }
        }
        assertThat(issuer.requestsTo("/token")).hasSize(1);
        // one challenge for the first pull only; later requests carried the cached token
        assertThat(registry.requests).filteredOn(r -> r.authorization() == null).hasSize(1);
    }

    @Test
    void blobRedirectToAnotherLoopbackPortCarriesNoAuthorization() throws Exception {
        var creds = new OkHttpUpstreamClientRegistryTest.RecordingCredentials("puller", PASSWORD);
        try (var client = client(creds);
             UpstreamBlob blob = client.openBlob(new UpstreamRequest(upstream(), REPO, "hub"), sha256(BLOB))) {
            assertThat(OkHttpUpstreamClientRegistryTest.readAll(blob)).isEqualTo(BLOB);
        }
        assertThat(registry.requestsTo("/v2/" + REPO + "/blobs/" + sha256(BLOB)))
                .extracting(LoopbackHttpServer.Seen::authorization).contains("Bearer tok-1");
        assertThat(cdn.requestsTo("/cdn/blob")).singleElement().extracting(LoopbackHttpServer.Seen::authorization).isNull();
    }

    @Test
    void revokedCachedTokenIsReplacedOnceAndThePullSucceeds() {
        try (var client = client(UpstreamCredentials.NONE)) {
            var request = new UpstreamRequest(upstream(), REPO, null);
            client.fetchManifest(request, "v1", MediaTypes.DEFAULT_ACCEPT);
            validTokens.clear(); // the upstream revokes tok-1 while we still think it valid
            assertThat(client.fetchManifest(request, "v1", MediaTypes.DEFAULT_ACCEPT).body()).isEqualTo(MANIFEST);
        }
        assertThat(issuer.requestsTo("/token")).hasSize(2);
    }

    @Test
    void refusalOfAFreshTokenIsUnauthorizedAndMarksTheSetUnhealthy() {
        registry.route("/v2/" + REPO + "/manifests/v1", ex -> {
            validTokens.clear(); // every token is refused
            authorized(ex);
        });
        var creds = new OkHttpUpstreamClientRegistryTest.RecordingCredentials("puller", PASSWORD);
        try (var client = client(creds)) {
            assertThatThrownBy(() -> client.fetchManifest(new UpstreamRequest(upstream(), REPO, "hub"), "v1",
                    MediaTypes.DEFAULT_ACCEPT))
                    .isInstanceOfSatisfying(UpstreamException.class, e -> {
                        assertThat(e.kind()).isEqualTo(UpstreamException.Kind.UNAUTHORIZED);
                        assertThat(e.getMessage()).doesNotContain(PASSWORD).doesNotContain("tok-");
                    });
        }
        assertThat(issuer.requestsTo("/token")).hasSize(1);
        assertThat(creds.health).containsExactly("hub:UpstreamUnauthorized");
    }

    @Test
    void tokenRealmRefusingTheLoginIsUnauthorized() {
        issuer.route("/token", ex -> send(ex, 401, "application/json", "{\"details\":\"incorrect username or password\"}"));
        var creds = new OkHttpUpstreamClientRegistryTest.RecordingCredentials("puller", PASSWORD);
        try (var client = client(creds)) {
            assertThatThrownBy(() -> client.fetchManifest(new UpstreamRequest(upstream(), REPO, "hub"), "v1",
                    MediaTypes.DEFAULT_ACCEPT))
                    .isInstanceOfSatisfying(UpstreamException.class,
                            e -> assertThat(e.kind()).isEqualTo(UpstreamException.Kind.UNAUTHORIZED));
        }
        assertThat(creds.health).containsExactly("hub:UpstreamUnauthorized");
    }

    @Test
    void reportsDockerHubRateLimitHeadersForTheCredentialSet() {
        var creds = new OkHttpUpstreamClientRegistryTest.RecordingCredentials("puller", PASSWORD);
        try (var client = client(creds)) {
            client.fetchManifest(new UpstreamRequest(upstream(), REPO, "hub"), "v1", MediaTypes.DEFAULT_ACCEPT);
        }
        assertThat(creds.rateLimits).singleElement()
                .satisfies(r -> assertThat(r).containsExactly("hub", "100;w=21600", "99;w=21600"));
    }

    static Digest sha256(byte[] content) {
        return Digest.of("sha256", content);
    }
}
