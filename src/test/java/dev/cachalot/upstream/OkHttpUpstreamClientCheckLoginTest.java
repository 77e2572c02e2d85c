package dev.cachalot.upstream;

import static dev.cachalot.testing.LoopbackHttpServer.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import dev.cachalot.rules.AuthMode;
import dev.cachalot.rules.Upstream;
import dev.cachalot.testing.LoopbackHttpServer;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code checkLogin} against a Bearer-challenging {@code /v2/}. No real token issuer runs here, so the registry and
 * its realm are small in-test HTTP servers on 127.0.0.1 ({@link LoopbackHttpServer}). (Basic auth against Debian's
 * real docker-registry is covered by {@code CredentialsRegistryIntegrationTest}.)
 */
class OkHttpUpstreamClientCheckLoginTest {

    private static final String PASSWORD = "t0ken-Issuer-Secret";
    private static final String BASIC = "Basic " + Base64.getEncoder()
            .encodeToString(("puller:" + PASSWORD).getBytes(StandardCharsets.UTF_8));

    private LoopbackHttpServer registry;
    private LoopbackHttpServer issuer;
    private final Set<String> validTokens = ConcurrentHashMap.newKeySet();
    private final AtomicInteger issued = new AtomicInteger();
    private volatile String realmHost = "127.0.0.1";

    @BeforeEach
    void start() {
        issuer = new LoopbackHttpServer().route("/token", this::issueToken);
        registry = new LoopbackHttpServer().route("/v2/", ex -> {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (auth != null && auth.startsWith("Bearer ") && validTokens.contains(auth.substring(7))) {
                send(ex, 200, "application/json", "{}");
                return;
            }
            // A /v2/ challenge names no scope: the token asked for covers the service only.
            ex.getResponseHeaders().set("WWW-Authenticate",
                    "Bearer realm=\"http://" + realmHost + ":" + issuer.port() + "/token\",service=\"fake-registry\"");
            send(ex, 401, "application/json", "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}");
        });
    }

    @AfterEach
    void stop() {
        registry.close();
        issuer.close();
    }

    /** Issues a token only to the right login, like a real realm. */
    private void issueToken(HttpExchange ex) throws IOException {
        if (!BASIC.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
            send(ex, 401, "application/json", "{\"details\":\"incorrect username or password\"}");
            return;
        }
        String token = "tok-" + issued.incrementAndGet();
        validTokens.add(token);
        send(ex, 200, "application/json", "{\"token\":\"" + token + "\",\"expires_in\":300}");
    }

    private Upstream upstream() {
        return new Upstream("fake", "127.0.0.1:" + registry.port(), URI.create(registry.base()), AuthMode.BOTH, null, false);
    }

    private static OkHttpUpstreamClient client(UpstreamCredentials credentials) {
        return new OkHttpUpstreamClient(credentials, UpstreamHttpSettings.defaults()
                .withRetryPolicy(RetryPolicy.defaults().withSleeper(d -> { })));
    }

    @Test
    void asksTheRealmForAServiceTokenWithTheLoginAndReportsHealthy() {
        var creds = new OkHttpUpstreamClientRegistryTest.RecordingCredentials("puller", PASSWORD);
        try (var client = client(creds)) {
            client.checkLogin(upstream(), "team-creds");
        }
        assertThat(issuer.requestsTo("/token")).singleElement().satisfies(r -> {
            assertThat(r.authorization()).isEqualTo(BASIC);
            assertThat(r.query()).isEqualTo("service=fake-registry");
        });
        assertThat(registry.requests).extracting(LoopbackHttpServer.Seen::authorization).doesNotContain(BASIC);
        assertThat(creds.health).containsOnly("team-creds:healthy");
    }

    @Test
    void aRefusedLoginIsUnauthorized() {
        var creds = new OkHttpUpstreamClientRegistryTest.RecordingCredentials("puller", "wrong-password");
        try (var client = client(creds)) {
            assertThatThrownBy(() -> client.checkLogin(upstream(), "team-creds"))
                    .isInstanceOfSatisfying(UpstreamException.class,
                            e -> assertThat(e.kind()).isEqualTo(UpstreamException.Kind.UNAUTHORIZED));
        }
        assertThat(creds.health).contains("team-creds:UpstreamUnauthorized");
    }

    @Test
    void aForeignRealmGetsNoLoginAndTheSetIsToldWhy() {
        realmHost = "localhost"; // reaches the same issuer, but is not the endpoint's host
        var creds = new OkHttpUpstreamClientRegistryTest.RecordingCredentials("puller", PASSWORD);
        try (var client = client(creds)) {
            assertThatThrownBy(() -> client.checkLogin(upstream(), "team-creds")).isInstanceOf(UpstreamException.class);
        }
        assertThat(issuer.requests).extracting(LoopbackHttpServer.Seen::authorization).containsOnlyNulls();
        assertThat(creds.health).contains("team-creds:TokenRealmRejected");
    }
}
