package dev.cachalot.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.storage.DataFolder;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --allow-anonymous} on a real engine: clients without credentials pull, and cannot push or delete anything,
 * neither on the request itself nor with a token the endpoint gives them; a user still can.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AnonymousPullOnlyTest {
    private static final Pattern TOKEN = Pattern.compile("\"token\":\"([^\"]+)\"");

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
        engine.addUser("alice", "push", null, "alice-Secret-1".toCharArray());
        engine.startServer("127.0.0.1:0", null, null,
                new ServingOptions(ServingOptions.Auth.REQUIRED, true, null, ServingOptions.AccessLog.OFF));
        base = "http://127.0.0.1:" + engine.port();
        image = new TestImages(43).dockerImage();
        new RegistryPusher(base).withBasicAuth("alice", "alice-Secret-1").push("team/app", "1.0", image);
    }

    @AfterAll
    void stop() {
        if (engine != null) engine.close();
    }

    @Test
    void anonymousClientsPull() throws Exception {
        assertThat(send("GET", "/v2/", null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/v2/team/app/manifests/1.0", null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/v2/team/app/blobs/" + image.layers().get(0).digest(), null).statusCode()).isEqualTo(200);
    }

    @Test
    void anonymousClientsCannotPushOrDeleteWithOrWithoutAToken() throws Exception {
        HttpResponse<String> upload = send("POST", "/v2/team/app/blobs/uploads/", null);
        assertThat(upload.statusCode()).isEqualTo(401);
        assertThat(upload.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("scope=\"repository:team/app:pull,push\"");
        assertThat(send("PUT", "/v2/team/app/manifests/2.0", null).statusCode()).isEqualTo(401);
        assertThat(send("DELETE", "/v2/team/app/manifests/" + image.digest(), null).statusCode()).isEqualTo(401);
        assertThat(send("DELETE", "/v2/team/app/blobs/" + image.layers().get(0).digest(), null).statusCode()).isEqualTo(401);
        assertThat(send("POST", "/v2/other/new/blobs/uploads/", null).statusCode()).isEqualTo(401);

        HttpResponse<String> token = send("GET", "/cachalot/token?service=cachalot&scope=repository:team/app:pull,push,delete", null);
        assertThat(token.statusCode()).isEqualTo(200);
        Matcher m = TOKEN.matcher(token.body());
        assertThat(m.find()).isTrue();
        String bearer = "Bearer " + m.group(1);
        assertThat(send("GET", "/v2/team/app/manifests/1.0", bearer).statusCode()).isEqualTo(200);
        assertThat(send("POST", "/v2/team/app/blobs/uploads/", bearer).statusCode()).isEqualTo(401);
        assertThat(send("DELETE", "/v2/team/app/manifests/" + image.digest(), bearer).statusCode()).isEqualTo(401);

        assertThat(send("GET", "/v2/team/app/manifests/1.0", null).statusCode()).as("nothing was deleted").isEqualTo(200);
    }

    private HttpResponse<String> send(String method, String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("Accept", TestImages.DOCKER_MANIFEST).method(method, HttpRequest.BodyPublishers.noBody());
        if (authorization != null) request.header("Authorization", authorization);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
