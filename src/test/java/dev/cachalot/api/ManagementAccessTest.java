package dev.cachalot.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.ServingOptions;
import dev.cachalot.security.TrustedProxies;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The authorization seam on a real engine's listener: whatever {@link ManagementAccess} decides is answered before
 * anything else of the request is looked at (an unknown path, a body), with the decision's message and, for 401, its
 * challenge; an allowed caller reaches the operations.
 */
class ManagementAccessTest {

    @TempDir
    Path temp;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicReference<ManagementAccess.Decision> decision = new AtomicReference<>(new ManagementAccess.Allowed());
    private Engine engine;

    private String start() {
        engine = Engine.open(temp.resolve("data"));
        engine.serveManagementApi(new ManagementApi(engine, request -> decision.get()));
        engine.startServer("127.0.0.1:0");
        return "http://127.0.0.1:" + engine.port() + ManagementApi.PREFIX;
    }

    @AfterEach
    void stop() {
        if (engine != null) engine.close();
    }

    @Test
    void aCallerWithoutCredentialsGets401WithTheChallengeEvenForAnUnknownPath() throws Exception {
        String api = start();
        decision.set(new ManagementAccess.Unauthenticated("Bearer realm=\"http://127.0.0.1/token\"", "a token is required"));
        for (String path : new String[] {"/rules", "/no-such-path"}) {
            HttpResponse<String> answer = get(api + path);
            assertThat(answer.statusCode()).isEqualTo(401);
            assertThat(answer.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"http://127.0.0.1/token\"");
            JsonNode body = ApiJson.mapper().readTree(answer.body());
            assertThat(body.get("code").asText()).isEqualTo(ApiError.UNAUTHORIZED);
            assertThat(body.get("message").asText()).isEqualTo("a token is required");
        }
    }

    @Test
    void aCallerWithoutThePermissionGets403AndChangesNothing() throws Exception {
        String api = start();
        decision.set(new ManagementAccess.Forbidden("the token lacks the admin permission"));
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(api + "/upstreams"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"loginServer\":\"r.example:5000\",\"endpoint\":\"https://r.example:5000\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(403);
        assertThat(ApiJson.mapper().readTree(answer.body()).get("message").asText()).isEqualTo("the token lacks the admin permission");
        assertThat(engine.upstreams()).noneMatch(u -> u.loginServer().equals("r.example:5000"));
    }

    @Test
    void anAllowedCallerReachesTheOperationsAndTheRegistryIsUntouchedBesideThem() throws Exception {
        String api = start();
        assertThat(get(api + "/status").statusCode()).isEqualTo(200);
        assertThat(get("http://127.0.0.1:" + engine.port() + "/v2/").statusCode()).isEqualTo(200);
    }

    @Test
    void theDefaultAllowsLoopbackCallers() throws Exception {
        engine = Engine.open(temp.resolve("data"));
        engine.serveManagementApi(new ManagementApi(engine, ManagementAccess.loopbackOnly()));
        engine.startServer("127.0.0.1:0");
        assertThat(get("http://127.0.0.1:" + engine.port() + ManagementApi.PREFIX + "/rules").statusCode()).isEqualTo(200);
    }

    @Test
    void behindATrustedBalancerTheAnnouncedClientDecidesAndARemoteOneIsRefused() throws Exception {
        engine = Engine.open(temp.resolve("data"));
        engine.serveManagementApi(new ManagementApi(engine, ManagementAccess.loopbackOnly()));
        engine.startServer("127.0.0.1:0", null, null, new ServingOptions(ServingOptions.Auth.NONE, false, null,
                ServingOptions.AccessLog.OFF, TrustedProxies.parse(List.of("127.0.0.1/32"))));
        // A balancer on this machine (127.0.0.1) announcing a client elsewhere: not a caller on the engine's machine.
        assertThat(throughBalancer("192.0.2.5")).startsWith("HTTP/1.1 403");
        // ... and one on this machine as well: still one.
        assertThat(throughBalancer("127.0.0.1")).startsWith("HTTP/1.1 200");
    }

    /** GET /rules over a socket from 127.0.0.1 that starts with a PROXY v1 header announcing {@code client}. */
    private String throughBalancer(String client) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", engine.port())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(("PROXY TCP4 " + client + " 127.0.0.1 40000 " + engine.port() + "\r\n"
                    + "GET " + ManagementApi.PREFIX + "/rules HTTP/1.1\r\nHost: cache\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
