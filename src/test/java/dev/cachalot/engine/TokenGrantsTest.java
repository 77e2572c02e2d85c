package dev.cachalot.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The token endpoint's wire forms on a real engine, beyond what the clients in ServerModeTest happen to use: the
 * refresh grant containerd uses once it holds a refresh token, the OAuth2 error answers, the Basic challenge for an
 * anonymous GET when anonymous pull is off, and the wait after repeated failures.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenGrantsTest {
    private static final String PASSWORD = "bob-Secret-22";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path temp;

    private Engine engine;
    private String base;
    private TestImage image;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    void start() {
        engine = Engine.open(new DataFolder(temp.resolve("data")));
        engine.addUser("bob", "push", "team/*", PASSWORD.toCharArray());
        engine.startServer("127.0.0.1:0", null, null, new ServingOptions(ServingOptions.Auth.REQUIRED, false, null,
                ServingOptions.AccessLog.OFF));
        base = "http://127.0.0.1:" + engine.port();
        image = new TestImages(44).dockerImage();
        new RegistryPusher(base).withBasicAuth("bob", PASSWORD).push("team/app", "1.0", image);
    }

    @AfterAll
    void stop() {
        if (engine != null) engine.close();
    }

    @Test
    void thePasswordGrantWithOfflineAccessGivesARefreshTokenThatGetsNewAccessTokens() throws Exception {
        HttpResponse<String> first = post("grant_type=password&client_id=containerd-client&access_type=offline&username=bob&password="
                + enc(PASSWORD) + "&scope=" + enc("repository:team/app:pull repository:other/app:pull"));
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("Cache-Control")).hasValue("no-store");
        JsonNode body = JSON.readTree(first.body());
        assertThat(body.get("scope").asText()).as("what bob may have, nothing else").isEqualTo("repository:team/app:pull");
        assertThat(body.get("expires_in").asInt()).isEqualTo(300);
        assertThat(body.get("issued_at").asText()).endsWith("Z");
        String refresh = body.get("refresh_token").asText();

        HttpResponse<String> again = post("grant_type=refresh_token&client_id=containerd-client&refresh_token=" + enc(refresh)
                + "&scope=" + enc("repository:team/app:pull,push"));
        assertThat(again.statusCode()).isEqualTo(200);
        JsonNode refreshed = JSON.readTree(again.body());
        assertThat(refreshed.get("scope").asText()).isEqualTo("repository:team/app:pull,push");
        assertThat(refreshed.has("refresh_token")).as("only when asked for").isFalse();
        assertThat(get("/v2/team/app/manifests/1.0", "Bearer " + refreshed.get("access_token").asText()).statusCode()).isEqualTo(200);

        HttpResponse<String> wrongKind = post("grant_type=refresh_token&refresh_token=" + enc(refreshed.get("access_token").asText()));
        assertThat(wrongKind.statusCode()).as("an access token is no refresh token").isEqualTo(401);
        assertThat(JSON.readTree(wrongKind.body()).get("error").asText()).isEqualTo("invalid_grant");
        HttpResponse<String> unknownGrant = post("grant_type=client_credentials");
        assertThat(unknownGrant.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(unknownGrant.body()).get("error").asText()).isEqualTo("unsupported_grant_type");
    }

    @Test
    void theGetFormAnswersTokenAndAccessTokenAndAsksForBasicWhenAnonymousPullIsOff() throws Exception {
        HttpResponse<String> signedIn = get("/cachalot/token?service=cachalot&scope=repository:team/app:pull&offline_token=true",
                "Basic " + Base64.getEncoder().encodeToString(("bob:" + PASSWORD).getBytes(StandardCharsets.UTF_8)));
        assertThat(signedIn.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(signedIn.body());
        assertThat(body.get("token").asText()).isEqualTo(body.get("access_token").asText());
        assertThat(body.has("refresh_token")).isTrue();

        HttpResponse<String> anonymous = get("/cachalot/token?service=cachalot&scope=repository:team/app:pull", null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"cachalot\"");
    }

    @Test
    void anAddressThatKeepsFailingMustWaitAndIsToldHowLong() throws Exception {
        // From 127.0.0.2, so the other tests' address keeps its budget.
        String last = null;
        for (int i = 0; i < 11; i++) {
            String form = "grant_type=password&username=bob&password=guess" + i;
            last = fromOtherAddress("POST /cachalot/token HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                    + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + form.length() + "\r\n\r\n" + form);
            if (i < 10) assertThat(last).as("failure %d", i + 1).startsWith("HTTP/1.1 401 ");
        }
        assertThat(last).startsWith("HTTP/1.1 429 ").containsIgnoringCase("Retry-After: ");
        String rightPassword = fromOtherAddress("GET /v2/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Basic "
                + Base64.getEncoder().encodeToString(("bob:" + PASSWORD).getBytes(StandardCharsets.UTF_8)) + "\r\n\r\n");
        assertThat(rightPassword).as("not even the right password, until the wait is over").startsWith("HTTP/1.1 429 ")
                .contains("\"code\":\"TOOMANYREQUESTS\"");
    }

    /** One raw HTTP/1.1 exchange from 127.0.0.2 (java.net.http cannot choose its source address on Java 17). */
    private String fromOtherAddress(String request) throws Exception {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.bind(new java.net.InetSocketAddress("127.0.0.2", 0));
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", engine.port()), 5000);
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aCrossRepositoryMountNeedsPullOnItsSource() throws Exception {
        String basic = "Basic " + Base64.getEncoder().encodeToString(("bob:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        String digest = image.layers().get(0).digest();
        HttpResponse<String> outside = http.send(HttpRequest.newBuilder(URI.create(base + "/v2/team/copy/blobs/uploads/?mount="
                + digest + "&from=other/secret")).header("Authorization", basic).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(outside.statusCode()).as("bob may not pull other/secret").isEqualTo(403);
        HttpResponse<String> inside = http.send(HttpRequest.newBuilder(URI.create(base + "/v2/team/copy/blobs/uploads/?mount="
                + digest + "&from=team/app")).header("Authorization", basic).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(inside.statusCode()).isEqualTo(201);
    }

    private HttpResponse<String> post(String form) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + "/cachalot/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).header("Accept", TestImages.DOCKER_MANIFEST);
        if (authorization != null) request.header("Authorization", authorization);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
