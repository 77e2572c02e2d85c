package dev.cachalot.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cachalot.credentials.Keyring;
import dev.cachalot.credentials.PassphrasePrompt;
import dev.cachalot.credentials.VaultOptions;
import dev.cachalot.storage.PostgresTestDatabases;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two engines with data folders of their own on one PostgreSQL database, signing in clients as one: with the same token
 * key file, a token either issued is good on the other, and a revocation or a user's removal through one is refused by
 * the other on its very next request. Without a key file, a shared database with sign-in does not start at all.
 */
class SharedTokenKeyTest {
    private static final VaultOptions NO_PASSPHRASE =
            new VaultOptions(name -> null, Keyring.NONE, PassphrasePrompt.NONE, VaultOptions.MIN_ITERATIONS);
    private static final ServingOptions SIGN_IN = new ServingOptions(ServingOptions.Auth.REQUIRED, false, null,
            ServingOptions.AccessLog.OFF);
    private static final String BOB_PASSWORD = "bob-Secret-31";
    private static final String ALICE_PASSWORD = "alice-Secret-32";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    private final List<Engine> engines = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private EngineOptions shared;
    private String keyText;

    @BeforeEach
    void sharedDatabaseAndKeyFile() throws Exception {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        keyText = Base64.getEncoder().encodeToString(key);
        Path keyFile = temp.resolve("etc/token.key");
        Files.createDirectories(keyFile.getParent());
        Files.writeString(keyFile, keyText + "\n");
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
        shared = EngineOptions.withVault(NO_PASSPHRASE).withSharedDatabase(PostgresTestDatabases.migrated());
        shared = shared.withTokenKeyFile(keyFile);
    }

    @AfterEach
    void close() {
        engines.forEach(Engine::close);
    }

    private Engine node(String name, EngineOptions options) {
        Engine engine = Engine.open(temp.resolve(name), options);
        engines.add(engine);
        return engine;
    }

    private Engine serving(String name) {
        Engine engine = node(name, shared);
        engine.startServer("127.0.0.1:0", null, null, SIGN_IN);
        return engine;
    }

    @Test
    void signInOnASharedDatabaseWithoutAKeyFileDoesNotStartAndSaysWhatToSet() {
        Engine engine = node("lonely", EngineOptions.withVault(NO_PASSPHRASE).withSharedDatabase(PostgresTestDatabases.migrated()));
        assertThatThrownBy(() -> engine.startServer("127.0.0.1:0", null, null, SIGN_IN))
                .isInstanceOf(EngineException.class)
                .hasMessageStartingWith("engines sharing a database need one token key")
                .hasMessageContaining("auth.tokenKeyFile").hasMessageContaining("CACHALOT_TOKEN_KEY_FILE");
        assertThat(engine.status().state()).isEqualTo(EngineStatus.State.ERROR);
        assertThat(temp.resolve("lonely/security/token-signing.key")).as("no key of its own made either").doesNotExist();

        // Without sign-in there are no tokens to agree on: the same node serves.
        engine.startServer("127.0.0.1:0", null, null, new ServingOptions(ServingOptions.Auth.NONE, false, null,
                ServingOptions.AccessLog.OFF));
        assertThat(engine.status().state()).isEqualTo(EngineStatus.State.RUNNING);
    }

    @Test
    void aTokenEitherNodeIssuedIsGoodOnTheOtherUntilItsAccessTokenIsRevoked() throws Exception {
        Engine one = serving("node-1");
        Engine two = serving("node-2");
        one.addUser("bob", "pull", null, BOB_PASSWORD.toCharArray());
        String secret = one.createAccessToken("ci", "bob", null).secret();

        String fromOne = token(one, "bob", secret);
        String fromTwo = token(two, "bob", BOB_PASSWORD);
        assertThat(catalogRoot(two, "Bearer " + fromOne)).as("node 1's token on node 2").isEqualTo(200);
        assertThat(catalogRoot(one, "Bearer " + fromTwo)).as("node 2's token on node 1").isEqualTo(200);
        assertThat(catalogRoot(two, basic("bob", secret))).isEqualTo(200);

        assertThat(one.revokeAccessToken("ci")).isTrue();
        assertThat(catalogRoot(two, "Bearer " + fromOne)).as("the token obtained with the revoked one, on node 2").isEqualTo(401);
        assertThat(catalogRoot(two, basic("bob", secret))).as("the revoked secret itself, on node 2").isEqualTo(401);
        assertThat(catalogRoot(one, "Bearer " + fromTwo)).as("the password's token is not affected").isEqualTo(200);
    }

    @Test
    void aUserRemovedThroughOneNodeIsRefusedByTheOtherAtOnce() throws Exception {
        Engine one = serving("node-1");
        Engine two = serving("node-2");
        one.addUser("alice", "push", "team/*", ALICE_PASSWORD.toCharArray());
        String fromOne = token(one, "alice", ALICE_PASSWORD);
        // Node 2 checks the password once, and remembers it verified.
        assertThat(catalogRoot(two, basic("alice", ALICE_PASSWORD))).isEqualTo(200);
        assertThat(catalogRoot(two, "Bearer " + fromOne)).isEqualTo(200);

        assertThat(one.removeUser("alice")).isTrue();
        assertThat(catalogRoot(two, basic("alice", ALICE_PASSWORD))).as("the remembered login is no good any more").isEqualTo(401);
        assertThat(catalogRoot(two, "Bearer " + fromOne)).isEqualTo(401);
    }

    @Test
    void theSharedKeyIsNeverCopiedIntoADataFolder() throws Exception {
        Engine one = serving("node-1");
        one.addUser("bob", "pull", null, BOB_PASSWORD.toCharArray());
        token(one, "bob", BOB_PASSWORD);
        assertThat(temp.resolve("node-1/security/token-signing.key")).doesNotExist();
        byte[] key = Base64.getDecoder().decode(keyText);
        try (Stream<Path> files = Files.walk(temp.resolve("node-1"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                byte[] content = Files.readAllBytes(file);
                String text = new String(content, StandardCharsets.ISO_8859_1);
                assertThat(text).as("%s", file).doesNotContain(keyText)
                        .doesNotContain(new String(key, StandardCharsets.ISO_8859_1));
            }
        }
    }

    private String token(Engine engine, String user, String secret) throws Exception {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(base(engine)
                        + "/cachalot/token?service=cachalot&scope=repository:team/app:pull"))
                .header("Authorization", basic(user, secret)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as("token for %s: %s", user, answer.body()).isEqualTo(200);
        return JSON.readTree(answer.body()).get("token").asText();
    }

    private int catalogRoot(Engine engine, String authorization) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base(engine) + "/v2/")).header("Authorization", authorization).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static String base(Engine engine) {
        return "http://" + engine.status().address();
    }

    private static String basic(String user, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }
}
