package dev.cachalot.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cachalot.api.ManagementApi;
import dev.cachalot.api.client.RemoteEngine;
import dev.cachalot.bundle.BundleArchive;
import dev.cachalot.bundle.BundleLayout;
import dev.cachalot.engine.CredentialSetView;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.EngineSettings;
import dev.cachalot.engine.EngineStatus;
import dev.cachalot.engine.LoginCheckView;
import dev.cachalot.engine.RuleDraft;
import dev.cachalot.engine.UpstreamCheck;
import dev.cachalot.rules.RuleValidationException;
import dev.cachalot.stats.PullEvent;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.Ports;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.Skopeo;
import dev.cachalot.testing.TestBlob;
import dev.cachalot.testing.TestImage;
import dev.cachalot.testing.TestImages;
import io.swagger.v3.parser.OpenAPIV3Parser;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The management API on a real engine: {@code cachalot serve} in a child JVM (loopback, no users), managed from this
 * JVM by the CLI with {@code --engine URL}, by {@link RemoteEngine} where the CLI has no command, and by plain HTTP
 * for the error answers. The child logs every request (DEBUG); the last test checks that every operation
 * docs/api/openapi.yaml documents was answered by it, and that no secret reached its log.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RemoteEngineProcessTest {
    /** Hang guards only. */
    private static final Duration START_LIMIT = Duration.ofSeconds(90);
    private static final Duration PICK_UP_LIMIT = Duration.ofSeconds(20);
    private static final String UPSTREAM_USER = "puller";
    private static final String UPSTREAM_PASSWORD = "pull-secret-4711";
    private static final String SECRET_VALUE = "vault-value-0815";
    private static final String USER_PASSWORD = "ci-bot-password-1234";
    // Either the DEBUG request line (stderr) or the access log's plain line (stdout, on by default for serve).
    private static final Pattern REQUEST_LINE = Pattern.compile("\\b([A-Z]{3,7}) (/cachalot/api/v1/\\S*) (\\d{3}) ");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path temp;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ManagementApiCalls api = new ManagementApiCalls(Duration.ofSeconds(5), Duration.ofSeconds(60));
    private final InputStream originalIn = System.in;
    private DockerRegistryFixture upstream;
    private Process serve;
    private Path serveLog;
    private String url;
    private RemoteEngine remote;
    private TestImage image;
    /** Secrets of the access tokens made here: none may reach the engine's log. */
    private final List<String> tokenSecrets = new ArrayList<>();

    @BeforeAll
    void startAnEngineProcessAndAnUpstreamWithALogin() throws Exception {
        upstream = DockerRegistryFixture.builder().htpasswd(UPSTREAM_USER, UPSTREAM_PASSWORD).start();
        image = new TestImages(21).ociImage();
        new RegistryPusher(upstream.url()).withBasicAuth(UPSTREAM_USER, UPSTREAM_PASSWORD).push("team/app", "1", image);
        new RegistryPusher(upstream.url()).withBasicAuth(UPSTREAM_USER, UPSTREAM_PASSWORD).push("team/app", "2", new TestImages(22).ociImage());

        int port = Ports.free();
        url = "http://127.0.0.1:" + port;
        serveLog = temp.resolve("serve.err");
        serve = startServe(port, serveLog);
        awaitEngine();
        remote = new RemoteEngine(URI.create(url), null);
        System.setProperty("cachalot.config", temp.resolve("config").toString());
    }

    @AfterAll
    void stopEverything() {
        System.clearProperty("cachalot.config");
        if (serve != null) serve.destroyForcibly();
        if (upstream != null) upstream.close();
    }

    @AfterEach
    void restoreStdin() {
        System.setIn(originalIn);
    }

    @Test
    @Order(1)
    void theStatusNamesTheRunningEngine() {
        EngineStatus status = remote.status();
        assertThat(status.state()).isEqualTo(EngineStatus.State.RUNNING);
        assertThat(url).endsWith(status.address());
    }

    @Test
    @Order(2)
    void anUpstreamIsAddedListedCheckedAndChangedRemotely() {
        cli("upstream", "add", "--login-server", upstream.hostPort(), "--endpoint", upstream.url()).succeeded();
        JsonNode listed = find(cli("upstream", "list", "--json").succeeded().json(), "loginServer", upstream.hostPort());
        assertThat(listed.get("builtIn").asBoolean()).isFalse();

        UpstreamCheck check = remote.checkUpstream(upstream.hostPort());
        assertThat(check.result()).as(check.summary()).isEqualTo(UpstreamCheck.Result.NEEDS_LOGIN);
        assertThat(remote.upstreamChecks()).containsKey(upstream.hostPort());
        assertThat(remote.updateUpstream(upstream.hostPort(), upstream.url(), null).endpoint()).isEqualTo(URI.create(upstream.url()));
    }

    @Test
    @Order(3)
    void credentialSetsTakeTheirSecretsFromStandardInputAndNeverGiveThemBack() {
        String created = cliWithStdin(UPSTREAM_USER + "\n" + UPSTREAM_PASSWORD + "\n",
                "credentials", "create", "--name", "team-login", "--login-server", upstream.hostPort()).succeeded().out();
        assertThat(created).contains("Created credential set team-login", "Health: Healthy");

        JsonNode shown = cli("credentials", "show", "team-login", "--json").succeeded().json();
        assertThat(shown.get("usernameSecret").asText()).isEqualTo("vault:team-login-username");
        assertThat(cli("credentials", "list", "--json").succeeded().out()).contains("team-login").doesNotContain(UPSTREAM_PASSWORD);
        assertThat(shown.toString()).doesNotContain(UPSTREAM_PASSWORD);

        LoginCheckView wrong = remote.checkLogin(upstream.hostPort(), UPSTREAM_USER, "not-the-password".toCharArray());
        assertThat(wrong.accepted()).isFalse();
        CredentialSetView again = remote.updateCredentialSetLogin("team-login", UPSTREAM_USER, UPSTREAM_PASSWORD.toCharArray());
        assertThat(again.health()).isEqualTo("Healthy");
        assertThat(cli("credentials", "validate", "team-login").succeeded().out()).contains("team-login: Healthy");
    }

    @Test
    @Order(4)
    void aRuleCreatedThroughTheApiIsUsedByTheVeryNextPull() {
        cli("rules", "create", "--name", "team-cache", "--source", upstream.hostPort() + "/team/*", "--target", "team/*",
                "--credential-set", "team-login").succeeded();

        // Read your writes: no wait between the command's return and the pull.
        Path copy = temp.resolve("team-app");
        new Skopeo().copy("127.0.0.1:" + port() + "/team/app:1", copy);
        Skopeo.CopiedImage pulled = Skopeo.read(copy).verified();
        assertThat(pulled.manifestDigest()).isEqualTo(image.digest());
        assertThat(pulled.blobDigests()).containsExactlyInAnyOrderElementsOf(image.blobs().stream().map(TestBlob::digest).toList());
    }

    @Test
    @Order(5)
    void rulesAreListedShownChangedAndCheckedRemotely() throws Exception {
        JsonNode rule = find(cli("rules", "list", "--json").succeeded().json(), "name", "team-cache");
        assertThat(rule.get("credentialSet").asText()).isEqualTo("team-login");
        assertThat(cli("rules", "show", "team-cache").succeeded().out()).contains("targetRepository: team/*");

        HttpResponse<String> one = request("GET", "/rules/team-cache", null);
        assertThat(one.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(one.body()).get("freshness").asText()).isEqualTo("revalidate");

        assertThat(cli("rules", "update", "team-cache", "--credential-set", "team-login").succeeded().out())
                .contains("credential set team-login");

        RuleDraft clash = new RuleDraft("team-again", upstream.hostPort() + "/team/*", "team/*", null, null);
        assertThat(remote.checkRule(clash)).isNotEmpty().isEqualTo(localEngineProblems(clash));

        // Sync through the engine process: a policy (kept passive, so its scheduler leaves the rule alone), a dry run
        // that fetches nothing, the statuses, and a cancel with nothing running.
        assertThat(cli("rules", "update", "team-cache", "--sync", "passive", "--sync-tags", "1", "--sync-repositories", "app")
                .succeeded().out()).contains("sync passive");
        assertThat(cli("rules", "sync", "team-cache", "--dry-run").succeeded().out()).contains("Dry run of rule team-cache");
        assertThat(remote.syncStatuses()).containsKey("team-cache");
        HttpResponse<String> status = request("GET", "/rules/team-cache/sync", null);
        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(status.body()).get("ruleName").asText()).isEqualTo("team-cache");
        assertThat(remote.cancelSync("team-cache")).isFalse();
        assertThat(cli("rules", "update", "team-cache", "--sync-referrers", "true", "--sync-exclude-artifact-types",
                "application/vnd.example.*").succeeded().out()).endsWith(", referrers, not artifact types application/vnd.example.*\n");
        assertThat(cli("rules", "update", "team-cache", "--sync-include-artifact-types", "sbom").failedWithOneLine())
                .startsWith("cachalot: sync artifact types to include: 'sbom' is not a media type");
        assertThat(remote.rules()).filteredOn(r -> r.name().equals("team-cache")).singleElement().satisfies(r -> {
            assertThat(r.sync().referrers()).isTrue();
            assertThat(r.sync().includeArtifactTypes()).isEmpty();
            assertThat(r.sync().excludeArtifactTypes()).containsExactly("application/vnd.example.*");
        });
    }

    @Test
    @Order(6)
    void anInvalidRuleIsRefusedWith400AndTheLocalMessage() throws Exception {
        String body = "{\"name\":\"x\",\"sourceRepository\":\"docker.io/library/nginx:latest\",\"targetRepository\":\"nginx\"}";
        HttpResponse<String> answer = request("POST", "/rules", body);
        assertThat(answer.statusCode()).isEqualTo(400);
        JsonNode error = JSON.readTree(answer.body());
        assertThat(error.get("code").asText()).isEqualTo("INVALID_RULE");
        List<String> local = localEngineProblems(new RuleDraft("x", "docker.io/library/nginx:latest", "nginx", null, null));
        assertThat(error.get("message").asText()).isEqualTo(String.join("; ", local));

        String cliError = cli("rules", "create", "--name", "x", "--source", "docker.io/library/nginx:latest", "--target", "nginx")
                .failedWithOneLine();
        assertThat(cliError).isEqualTo("cachalot: " + String.join("; ", local) + " (engine " + url + ")");
        assertThatThrownBy(() -> remote.createRule(new RuleDraft("x", "docker.io/library/nginx:latest", "nginx", null, null)))
                .isInstanceOf(RuleValidationException.class).hasMessage(String.join("; ", local));
    }

    @Test
    @Order(7)
    void badJsonUnknownNamesPathsAndMethodsGetJsonErrors() throws Exception {
        HttpResponse<String> badJson = request("POST", "/rules", "{\"name\": ");
        assertThat(badJson.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(badJson.body()).get("code").asText()).isEqualTo("INVALID_REQUEST");

        HttpResponse<String> unknownRule = request("GET", "/rules/no-such-rule", null);
        assertThat(unknownRule.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(unknownRule.body()).get("message").asText()).isEqualTo("no cache rule named 'no-such-rule'");
        assertThat(request("DELETE", "/rules/no-such-rule", null).statusCode()).isEqualTo(404);
        assertThat(cli("rules", "delete", "no-such-rule").failedWithOneLine())
                .isEqualTo("cachalot: no cache rule named 'no-such-rule' (engine " + url + ")");

        HttpResponse<String> traversal = request("POST", "/rules/import",
                "{\"files\":[{\"name\":\"../escape.csv\",\"content\":\"name,source,target\\n\"}]}");
        assertThat(traversal.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(traversal.body()).get("message").asText())
                .isEqualTo("a rule file's name is a file name without folders, not '../escape.csv'");
        HttpResponse<String> missingField = request("PUT", "/secrets/some-secret", "{}");
        assertThat(missingField.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(missingField.body()).get("message").asText()).isEqualTo("the field 'value' is required");

        assertThat(request("GET", "/no-such-thing", null).statusCode()).isEqualTo(404);
        HttpResponse<String> wrongMethod = request("PUT", "/rules", "{}");
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(wrongMethod.headers().firstValue("Allow")).hasValue("GET, POST");
        assertThat(JSON.readTree(wrongMethod.body()).get("code").asText()).isEqualTo("METHOD_NOT_ALLOWED");
    }

    @Test
    @Order(8)
    void rulesAreImportedAndExportedThroughTheCli() throws Exception {
        Path file = temp.resolve("more-rules.csv");
        Files.writeString(file, "name,source,target,credentialSet\nteam-tools," + upstream.hostPort() + "/tools/app,tools/app,team-login\n");
        assertThat(cli("rules", "import", file.toString(), "--dry-run").succeeded().out())
                .contains("more-rules.csv:2", "OK", "dry run: nothing changed");
        assertThat(cli("rules", "import", file.toString()).succeeded().out()).contains("imported 1 entry");
        assertThat(cli("rules", "export", "--format", "csv").succeeded().out()).contains("team-tools", "team-cache");
    }

    @Test
    @Order(9)
    void repositoriesTagsManifestsAndPrefetchWorkRemotely() {
        await().atMost(PICK_UP_LIMIT).untilAsserted(() -> {
            JsonNode repo = find(cli("repos", "list", "--json").succeeded().json(), "name", "team/app");
            assertThat(repo.get("ruleName").asText()).isEqualTo("team-cache");
        });
        JsonNode shown = cli("repos", "show", "team/app", "--json").succeeded().json();
        assertThat(shown.get("tags").get(0).get("digest").asText()).isEqualTo(image.digest().toString());
        assertThat(remote.manifest("team/app", image.digest().toString())).hasValueSatisfying(m -> assertThat(m.layers()).isNotEmpty());
        assertThat(remote.manifest("team/app", "sha256:" + "0".repeat(64))).isEmpty();

        long[] reported = {-1};
        remote.prefetch("team/app", "2", (Long bytes) -> reported[0] = bytes);
        assertThat(reported[0]).isPositive();
        assertThat(remote.tags("team/app")).extracting(t -> t.tag()).contains("1", "2");
        assertThat(remote.cacheSizeBytes()).isPositive();

        remote.deleteTag("team/app", "2");
        assertThat(remote.tags("team/app")).extracting(t -> t.tag()).containsExactly("1");
        assertThatThrownBy(() -> remote.deleteTag("team/app", "2")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no tag 2 in team/app");

        // Garbage collection on request, through the engine: nothing a manifest references goes (the grace period
        // also keeps what tag 2 alone used, stored moments ago).
        assertThat(cli("gc", "--dry-run").succeeded().out()).startsWith("Would remove ");
        assertThat(cli("gc").succeeded().out()).startsWith("Removed ");
        assertThat(remote.manifest("team/app", image.digest().toString())).hasValueSatisfying(m -> assertThat(m.layers()).isNotEmpty());
    }

    @Test
    @Order(10)
    void statisticsCountThePullMadeThroughTheRemotelyCreatedRule() {
        await().atMost(PICK_UP_LIMIT).untilAsserted(() -> {
            JsonNode stats = cli("stats", "--json").succeeded().json();
            assertThat(find(stats.get("repositories"), "repository", "team/app").get("pulls").asLong()).isGreaterThanOrEqualTo(1);
            assertThat(stats.get("totals").get("pulls").asLong()).isGreaterThanOrEqualTo(1);
        });
        List<PullEvent> recent = remote.recentPulls(10);
        assertThat(recent).extracting(PullEvent::repository).contains("team/app");
        assertThat(remote.ruleStates()).hasEntrySatisfying("team-cache", state -> {
            assertThat(state.pulled()).as("the rule's last pull, as the portal's rules table shows it").isTrue();
            assertThat(state.lastPullFailed()).isFalse();
        });
        assertThat(remote.pullsOverTime(Instant.now().minus(Duration.ofHours(1)), Duration.ofMinutes(10)))
                .anySatisfy(b -> assertThat(b.misses() + b.hits()).isPositive());
    }

    @Test
    @Order(11)
    void settingsAreReadAndChangedWithTheLocalValidation() {
        EngineSettings before = remote.settings();
        remote.updateSettings(new EngineSettings(before.listen(), "ttl:5m", before.maxCacheBytes()));
        assertThat(remote.settings().defaultFreshness()).isEqualTo("ttl:5m");
        assertThatThrownBy(() -> remote.updateSettings(new EngineSettings(before.listen(), "sometimes", 0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown freshness policy 'sometimes': use 'revalidate' or 'ttl:<duration>' such as ttl:10m");
    }

    @Test
    @Order(12)
    void secretsGoInAndOnlyTheirNamesComeOut() {
        cliWithStdin(SECRET_VALUE + "\n", "secrets", "set", "spare-token").succeeded();
        assertThat(cli("secrets", "list").succeeded().out()).contains("vault:spare-token").doesNotContain(SECRET_VALUE);
        cli("secrets", "delete", "spare-token").succeeded();
        assertThat(cli("secrets", "delete", "spare-token").failedWithOneLine())
                .isEqualTo("cachalot: there is no secret named 'spare-token' (engine " + url + ")");
    }

    @Test
    @Order(13)
    void everythingIsRemovedAgainInTheOrderTheEngineInsistsOn() {
        assertThat(cli("upstream", "remove", upstream.hostPort()).failedWithOneLine()).contains("is used by");
        cli("rules", "delete", "team-tools").succeeded();
        cli("rules", "delete", "team-cache").succeeded();
        cli("credentials", "delete", "team-login").succeeded();
        cli("upstream", "remove", upstream.hostPort()).succeeded();
        remote.deleteRepository("team/app");
        assertThat(remote.repositories()).noneMatch(r -> r.name().equals("team/app"));
        assertThat(remote.rules()).isEmpty();
    }

    @Test
    @Order(14)
    void loginStoresACheckedTokenReadableOnlyByItsOwnerAndNeverPrintsIt() throws Exception {
        String token = "token-" + System.nanoTime();
        Cli.Run login = cliRawWithStdin(token + "\n", "login", url);
        assertThat(login.exit()).as(login.err()).isZero();
        assertThat(login.out() + login.err()).doesNotContain(token).contains("Logged in to " + url);
        Path stored = temp.resolve("config").resolve(StoredTokens.FILE_NAME);
        assertThat(Files.readString(stored)).contains(token);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(stored))).isEqualTo("rw-------");
        // The stored token goes with the next command; an engine without users lets a loopback caller in regardless.
        cli("rules", "list").succeeded();

        assertThat(cliRawWithStdin("a-password\n", "login", url, "--user", "alice").failedWithOneLine())
                .isEqualTo("cachalot: the engine at " + url + " has authentication off: give a token, or no login at all");
    }

    @Test
    @Order(15)
    void anEngineThatIsNotThereGivesOneClearLine() {
        int closed = Ports.free();
        Cli.Run run = Cli.runRaw("--engine", "http://127.0.0.1:" + closed, "rules", "list");
        assertThat(run.failedWithOneLine()).isEqualTo("cachalot: cannot reach the engine at http://127.0.0.1:" + closed + ": connection refused");
        assertThat(Cli.runRaw("--engine", url, "serve").err()).contains("--engine applies to the management commands");
    }

    @Test
    @Order(16)
    void anotherClientSeesConfigurationChangesAndPullsLive() throws Exception {
        List<PullEvent> pulls = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicInteger changes = new java.util.concurrent.atomic.AtomicInteger();
        List<EngineStatus> statuses = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (RemoteEngine watcher = new RemoteEngine(URI.create(url), null);
             AutoCloseable p = watcher.onPull(pulls::add);
             AutoCloseable c = watcher.onConfigChanged(changes::incrementAndGet);
             AutoCloseable s = watcher.onStatus(statuses::add)) {
            await().atMost(PICK_UP_LIMIT).until(() -> statuses.stream().anyMatch(st -> st.state() == EngineStatus.State.RUNNING));

            cli("upstream", "add", "--login-server", upstream.hostPort(), "--endpoint", upstream.url()).succeeded();
            cliWithStdin(UPSTREAM_USER + "\n" + UPSTREAM_PASSWORD + "\n",
                    "credentials", "create", "--name", "live-login", "--login-server", upstream.hostPort()).succeeded();
            cli("rules", "create", "--name", "live-cache", "--source", upstream.hostPort() + "/team/*", "--target", "team/*",
                    "--credential-set", "live-login").succeeded();
            await().atMost(PICK_UP_LIMIT).until(() -> changes.get() >= 3);

            new Skopeo().copy("127.0.0.1:" + port() + "/team/app:1", temp.resolve("live-pull"));
            await().atMost(PICK_UP_LIMIT).untilAsserted(() -> assertThat(pulls)
                    .anySatisfy(e -> assertThat(e.repository()).isEqualTo("team/app")));
        }
    }

    @Test
    @Order(17)
    void aDroppedConnectionIsAStatusAndRecoversByItselfWhenTheEngineIsBack() throws Exception {
        List<EngineStatus> statuses = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicInteger reloads = new java.util.concurrent.atomic.AtomicInteger();
        try (RemoteEngine watcher = new RemoteEngine(URI.create(url), null);
             AutoCloseable s = watcher.onStatus(statuses::add);
             AutoCloseable c = watcher.onConfigChanged(reloads::incrementAndGet)) {
            await().atMost(PICK_UP_LIMIT).until(() -> statuses.stream().anyMatch(st -> st.state() == EngineStatus.State.RUNNING));

            serve.destroyForcibly().waitFor();
            await().atMost(PICK_UP_LIMIT).untilAsserted(() -> assertThat(statuses.get(statuses.size() - 1)).satisfies(st -> {
                assertThat(st.state()).isEqualTo(EngineStatus.State.ERROR);
                assertThat(st.message()).startsWith("connection to " + url + " lost");
            }));

            serve = startServe(port(), temp.resolve("serve-again.err"));
            awaitEngine();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(statuses.get(statuses.size() - 1).state()).isEqualTo(EngineStatus.State.RUNNING);
                assertThat(reloads.get()).as("a reload after the reconnect").isPositive();
            });
        }
    }

    @Test
    @Order(50)
    void usersAndAccessTokensAreManagedRemotelyWithoutAPasswordOrSecretInAnyListing() throws Exception {
        String added = cliWithStdin(USER_PASSWORD + "\n", "users", "add", "ci-bot", "--role", "push", "--repositories", "team/*")
                .succeeded().out();
        assertThat(added).contains("Added user ci-bot (push on team/*)").doesNotContain(USER_PASSWORD);
        String users = cli("users", "list", "--json").succeeded().out();
        assertThat(find(JSON.readTree(users), "name", "ci-bot").get("repositories").asText()).isEqualTo("team/*");
        assertThat(users + cli("users", "list").succeeded().out()).doesNotContain(USER_PASSWORD);
        // The engine's own words, as without --engine (UsersAndTokensCommandTest)
        assertThat(cliWithStdin(USER_PASSWORD + "\n", "users", "add", "ci-bot", "--role", "pull").failedWithOneLine())
                .isEqualTo("cachalot: a user named 'ci-bot' exists already (engine " + url + ")");
        assertThat(cliWithStdin(USER_PASSWORD + "\n", "users", "add", "x", "--role", "delete").failedWithOneLine())
                .isEqualTo("cachalot: unknown role 'delete': use pull, push or admin (engine " + url + ")");
        assertThat(cliWithStdin("short\n", "users", "add", "x", "--role", "pull").failedWithOneLine())
                .isEqualTo("cachalot: the password must have at least 8 characters (engine " + url + ")");

        Cli.Run created = cli("tokens", "create", "--name", "ci", "--user", "ci-bot", "--expires", "12h");
        assertThat(created.exit()).as(created.err()).isZero();
        String secret = created.out().strip();
        tokenSecrets.add(secret);
        assertThat(secret).isNotBlank();
        assertThat(created.err()).contains("Token ci for user ci-bot, expires").doesNotContain(secret);
        String tokens = cli("tokens", "list", "--json").succeeded().out();
        JsonNode listed = find(JSON.readTree(tokens), "name", "ci");
        assertThat(Duration.between(Instant.parse(listed.get("created").asText()), Instant.parse(listed.get("expires").asText())))
                .isEqualTo(Duration.ofHours(12));
        assertThat(tokens + cli("tokens", "list").succeeded().out()).doesNotContain(secret);
        assertThat(cli("tokens", "create", "--name", "ci", "--user", "ci-bot").failedWithOneLine())
                .isEqualTo("cachalot: a token named 'ci' exists already (engine " + url + ")");
        assertThat(cli("tokens", "create", "--name", "other", "--user", "nobody").failedWithOneLine())
                .isEqualTo("cachalot: there is no user named 'nobody' (engine " + url + ")");

        // Over the API itself: a lifetime in seconds or "never", and a refused one
        HttpResponse<String> inSeconds = request("POST", "/tokens", "{\"name\":\"hourly\",\"user\":\"ci-bot\",\"expires\":\"3600\"}");
        assertThat(inSeconds.statusCode()).isEqualTo(201);
        JsonNode hourly = JSON.readTree(inSeconds.body());
        tokenSecrets.add(hourly.get("secret").asText());
        assertThat(Duration.between(Instant.parse(hourly.at("/token/created").asText()), Instant.parse(hourly.at("/token/expires").asText())))
                .isEqualTo(Duration.ofHours(1));
        assertThat(remote.createAccessToken("forever", "ci-bot", null)).satisfies(t -> {
            tokenSecrets.add(t.secret());
            assertThat(t.token().expires()).isNull();
        });
        HttpResponse<String> soon = request("POST", "/tokens", "{\"name\":\"soon\",\"user\":\"ci-bot\",\"expires\":\"soon\"}");
        assertThat(soon.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(soon.body()).get("message").asText()).startsWith("invalid 'expires' 'soon'");
        HttpResponse<String> noPassword = request("POST", "/users", "{\"name\":\"y\",\"role\":\"pull\"}");
        assertThat(noPassword.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(noPassword.body()).get("message").asText()).isEqualTo("the field 'password' is required");

        cli("tokens", "revoke", "ci").succeeded();
        assertThat(cli("tokens", "revoke", "ci").failedWithOneLine()).isEqualTo("cachalot: there is no token named 'ci' (engine " + url + ")");
        assertThat(remote.accessTokens()).extracting(t -> t.name()).containsExactlyInAnyOrder("hourly", "forever");
        assertThat(cli("users", "remove", "ci-bot").succeeded().out()).contains("Removed user ci-bot");
        assertThat(cli("users", "remove", "ci-bot").failedWithOneLine()).isEqualTo("cachalot: there is no user named 'ci-bot' (engine " + url + ")");
        assertThat(remote.users()).isEmpty();
        assertThat(remote.accessTokens()).as("a removed user's tokens go with them").isEmpty();
    }

    @Test
    @Order(60)
    void bundlesAreUploadedAndDownloadedByTheCliWithEngine() throws Exception {
        TestImages images = new TestImages(64);
        TestImage one = images.ociImage();
        TestImage two = images.ociImage();
        Path original = temp.resolve("carried-in.tar");
        Files.write(original, new BundleArchive().layout().index(java.util.Map.of("local/carried:1.0", one, "local/carried:2.0", two))
                .blobsOf(one).blobsOf(two).bytes());

        Cli.Run imported = cli("bundle", "import", original.toString()).succeeded();
        assertThat(imported.out()).contains("2 image(s), 2 tag(s)").contains("local/carried (local repository)");
        assertThat(remote.tags("local/carried")).extracting(t -> t.digest().toString()).containsExactly(one.digest(), two.digest());

        Path downloaded = temp.resolve("carried-out.tar");
        Cli.Run exported = cli("bundle", "export", "--repository", "local/carried", "--tags", "1.*", downloaded.toString()).succeeded();
        assertThat(exported.out()).contains("1 tag(s)").contains("local/carried:1.0").doesNotContain("local/carried:2.0");
        assertThat(BundleLayout.refNames(downloaded)).containsExactly("local/carried:1.0");
        Skopeo.Result raw = new Skopeo().run(Duration.ofMinutes(2), List.of("inspect", "--raw", "oci-archive:" + downloaded + ":local/carried:1.0"));
        assertThat(raw.exitCode()).as(raw.stderr()).isZero();
        assertThat(raw.stdout().strip()).isEqualTo(new String(one.manifest(), StandardCharsets.UTF_8).strip());

        Path hostile = temp.resolve("hostile.tar");
        Files.write(hostile, BundleArchive.of(images.ociImage(), "local/carried:3.0").file("../escape", new byte[] {1}).bytes());
        assertThat(cli("bundle", "import", hostile.toString()).failedWithOneLine())
                .isEqualTo("cachalot: bundle refused: entry '../escape' climbs out of the archive with '..' (engine " + url + ")");
        assertThat(cli("bundle", "export", "--rule", "no-such-rule", temp.resolve("none.tar").toString()).failedWithOneLine())
                .isEqualTo("cachalot: no rule named 'no-such-rule' (engine " + url + ")");
        assertThat(temp.resolve("none.tar")).doesNotExist();
        remote.deleteRepository("local/carried");
    }

    @Test
    @Order(100)
    void everyDocumentedOperationWasAnsweredByTheEngineProcessAndNoSecretReachedItsLog() {
        List<String> documented = new ArrayList<>();
        new OpenAPIV3Parser().read("docs/api/openapi.yaml").getPaths().forEach((path, item) ->
                item.readOperationsMap().keySet().forEach(method -> documented.add(method.name() + " " + path)));
        assertThat(documented).as("operations read from the document").hasSize(ManagementApi.operationNames().size());
        // An event stream is logged when it ends: the engine notices a caller left at its next keepalive (15 s).
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Set<String> answered = answeredOperations(documented);
            assertThat(documented).as("documented operations the engine process never answered").allMatch(answered::contains);
        });
        assertThat(engineLog()).doesNotContain(UPSTREAM_PASSWORD, SECRET_VALUE, "not-the-password", USER_PASSWORD);
        assertThat(tokenSecrets).isNotEmpty().allSatisfy(secret -> assertThat(engineLog()).doesNotContain(secret));
    }

    // ------------------------------------------------------------------ helpers

    private static Process startServe(int port, Path stderr) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), "dev.cachalot.Main",
                "--data", temp.resolve("engine-data").toString(), "serve", "--listen", "127.0.0.1:" + port,
                // the DEBUG request log (stderr) names each answered operation; the access log would replace it
                "--access-log", "off")
                .redirectOutput(ProcessBuilder.Redirect.appendTo(temp.resolve("serve.out").toFile())).redirectError(stderr.toFile());
        builder.environment().put("CACHALOT_LOG_LEVEL", "DEBUG");
        builder.environment().put("CACHALOT_VAULT_PASSPHRASE", "engine-vault-passphrase");
        return builder.start();
    }

    /** The documented operations (METHOD /template) that the engine's request log shows answered (any status). */
    private Set<String> answeredOperations(List<String> documented) {
        Set<String> answered = new LinkedHashSet<>();
        Matcher m = REQUEST_LINE.matcher(engineLog());
        while (m.find()) {
            String path = m.group(2).substring("/cachalot/api/v1".length());
            for (String operation : documented) {
                String method = operation.substring(0, operation.indexOf(' '));
                String template = operation.substring(operation.indexOf(' ') + 1);
                if (method.equals(m.group(1)) && path.matches(template.replaceAll("\\{[^}]+}", "[^/]+"))) answered.add(operation);
            }
        }
        return answered;
    }

    /** What the engine processes (the first, and the one started again after the drop) logged on stderr and stdout. */
    private String engineLog() {
        try {
            Path again = temp.resolve("serve-again.err");
            return Files.readString(serveLog) + (Files.exists(again) ? Files.readString(again) : "")
                    + Files.readString(temp.resolve("serve.out"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<String> localEngineProblems(RuleDraft draft) {
        // The same draft against a local engine on its own data folder: what the CLI says without --engine.
        try (Engine local = Engine.open(temp.resolve("local-" + System.nanoTime()))) {
            if (draft.name().equals("team-again")) {
                local.addUpstream(upstream.hostPort(), upstream.url(), null);
                local.createRule(new RuleDraft("team-cache", draft.sourceRepository(), draft.targetRepository(), null, null));
                return local.checkRule(draft);
            }
            try {
                local.createRule(draft);
                throw new AssertionError("the local engine accepted " + draft);
            } catch (RuleValidationException e) {
                return e.problems();
            }
        }
    }

    private Cli.Run cli(String... args) {
        List<String> full = new ArrayList<>(List.of("--engine", url));
        full.addAll(List.of(args));
        return Cli.runRaw(full.toArray(String[]::new));
    }

    private Cli.Run cliWithStdin(String stdin, String... args) {
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        return cli(args);
    }

    private Cli.Run cliRawWithStdin(String stdin, String... args) {
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        return Cli.runRaw(args);
    }

    private int port() {
        return URI.create(url).getPort();
    }

    private HttpResponse<String> request(String method, String path, String body) {
        return api.send(url, method, path, body);
    }

    private static JsonNode find(JsonNode array, String field, String value) {
        for (JsonNode n : array) {
            if (value.equals(n.path(field).asText())) return n;
        }
        throw new AssertionError("no element with " + field + "=" + value + " in " + array);
    }

    private void awaitEngine() throws Exception {
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        while (true) {
            if (!serve.isAlive()) throw new AssertionError("serve exited with " + serve.exitValue() + ":\n" + engineLog());
            try {
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(url + "/v2/")).build(), HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() == 200) return;
            } catch (ConnectException e) {
                // not listening yet
            }
            if (System.nanoTime() - deadline > 0) throw new AssertionError("serve did not answer within " + START_LIMIT + ":\n" + engineLog());
            Thread.sleep(200);
        }
    }
}
