package dev.cachalot.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cachalot.api.client.EngineLogin;
import dev.cachalot.api.client.EngineTrust;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.Ports;
import dev.cachalot.testing.Processes;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cachalot --engine URL} against {@code serve --auth required} (loopback, plain HTTP), each command its own
 * process with {@code CACHALOT_TOKEN} as a CI job would run it: the token an admin's access token was exchanged for
 * (at the engine's token service) or the access token itself manages rules and users, a pull user's is refused with
 * one line, no token with another; {@code login URL --user} stores a lasting access token, never the password; no
 * password or token reaches the engine's log.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RemoteManagementWithTokensTest {
    private static final Duration START_LIMIT = Duration.ofSeconds(90);
    private static final Duration COMMAND_LIMIT = Duration.ofSeconds(90);
    private static final String ADMIN_PASSWORD = "admin-Secret-1";
    private static final String PULLER_PASSWORD = "puller-Secret-22";
    private static final String NEW_USER_PASSWORD = "newcomer-Secret-333";

    @TempDir
    static Path temp;

    private DockerRegistryFixture upstream;
    private Process serve;
    private Path serveOut;
    private Path serveErr;
    private String url;
    private String adminToken;
    private String pullerToken;
    private String adminBearer;
    private String pullerBearer;

    @BeforeAll
    void start() throws Exception {
        upstream = DockerRegistryFixture.start();
        Path data = temp.resolve("data");
        Cli local = new Cli(data);
        withStdin(ADMIN_PASSWORD, () -> local.run("users", "add", "root", "--role", "admin").succeeded());
        withStdin(PULLER_PASSWORD, () -> local.run("users", "add", "puller", "--role", "pull").succeeded());
        adminToken = local.run("tokens", "create", "--name", "root-ci", "--user", "root").out().strip();
        pullerToken = local.run("tokens", "create", "--name", "puller-ci", "--user", "puller").out().strip();
        assertThat(adminToken).isNotBlank().isNotEqualTo(pullerToken);

        int port = Ports.free();
        url = "http://127.0.0.1:" + port;
        serveOut = temp.resolve("serve.out");
        serveErr = temp.resolve("serve.err");
        serve = new ProcessBuilder(java(), "-Xmx256m", "-cp", System.getProperty("java.class.path"), "dev.cachalot.Main",
                "--data", data.toString(), "serve", "--listen", "127.0.0.1:" + port, "--auth", "required")
                .redirectOutput(serveOut.toFile()).redirectError(serveErr.toFile()).start();
        await("serve").atMost(START_LIMIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (!serve.isAlive()) throw new AssertionError("serve exited with " + serve.exitValue() + ":\n" + Files.readString(serveErr));
            return Files.readString(serveOut).contains("Cachalot serving on " + url);
        });
        // CACHALOT_TOKEN carries a token of the engine's token service; an access token stands in for the password there
        adminBearer = EngineLogin.token(URI.create(url), "root", adminToken.toCharArray(), EngineTrust.context(null));
        pullerBearer = EngineLogin.token(URI.create(url), "puller", pullerToken.toCharArray(), EngineTrust.context(null));
    }

    @AfterAll
    void stop() {
        if (serve != null) Processes.stop(serve, Duration.ofSeconds(30));
        if (upstream != null) upstream.close();
    }

    @Test
    @Order(1)
    void anAdminsAccessTokenManagesRulesAndUsers() throws Exception {
        remote(adminBearer, null, "upstream", "add", "--login-server", upstream.hostPort(), "--endpoint", upstream.url()).succeeded();
        remote(adminBearer, null, "rules", "create", "--name", "team-cache", "--source", upstream.hostPort() + "/team/*",
                "--target", "team/*").succeeded();
        assertThat(remote(adminBearer, null, "rules", "list", "--json").succeeded().json().findValuesAsText("name"))
                .containsExactly("team-cache");

        remote(adminBearer, NEW_USER_PASSWORD, "users", "add", "newcomer", "--role", "push").succeeded();
        Cli.Run users = remote(adminBearer, null, "users", "list").succeeded();
        assertThat(users.out()).contains("newcomer", "puller", "root");
        Cli.Run tokens = remote(adminBearer, null, "tokens", "list").succeeded();
        assertThat(tokens.out()).contains("root-ci", "puller-ci").doesNotContain(adminToken, pullerToken);

        remote(adminBearer, null, "rules", "delete", "team-cache").succeeded();
        remote(adminBearer, null, "users", "remove", "newcomer").succeeded();
        assertThat(remote(adminBearer, null, "rules", "list", "--json").succeeded().json()).isEmpty();
    }

    @Test
    @Order(2)
    void aPullUsersTokenIsRefusedWithOneLine() {
        assertThat(remote(pullerBearer, null, "rules", "list").failedWithOneLine())
                .isEqualTo("cachalot: the management API needs the admin role (engine " + url + ")");
        assertThat(remote(pullerBearer, NEW_USER_PASSWORD, "users", "add", "sneaky", "--role", "admin").failedWithOneLine())
                .isEqualTo("cachalot: the management API needs the admin role (engine " + url + ")");
    }

    @Test
    @Order(3)
    void withoutATokenTheCommandSaysHowToGetOne() {
        assertThat(remote(null, null, "rules", "list").failedWithOneLine()).isEqualTo("cachalot: authentication required"
                + " (log in with `cachalot login " + url + "`, or set CACHALOT_TOKEN)");
        assertThat(remote("not-a-token", null, "rules", "list").failedWithOneLine()).isEqualTo("cachalot: authentication required"
                + " (the token was refused: log in again with `cachalot login " + url + "`)");
    }

    @Test
    @Order(4)
    void anAccessTokenItselfWorksAsCachalotToken() {
        assertThat(remote(adminToken, null, "rules", "list", "--json").succeeded().json()).isEmpty();
        assertThat(remote(pullerToken, null, "rules", "list").failedWithOneLine())
                .isEqualTo("cachalot: the management API needs the admin role (engine " + url + ")");
    }

    @Test
    @Order(5)
    void loginWithAPasswordStoresALastingAccessTokenNotThePassword() throws IOException {
        Path config = temp.resolve("login-config");
        Cli.Run login = cachalot(config, null, ADMIN_PASSWORD, "login", url, "--user", "root");
        assertThat(login.exit()).as(login.err()).isZero();
        assertThat(login.out() + login.err()).contains("Logged in to " + url + " as root").doesNotContain(ADMIN_PASSWORD);

        assertThat(cachalot(config, null, null, "--engine", url, "rules", "list", "--json").succeeded().json())
                .as("the stored token, without CACHALOT_TOKEN").isEmpty();
        assertThat(remote(adminToken, null, "tokens", "list").succeeded().out()).contains("login-root-");
        try (var files = Files.walk(config)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                assertThat(Files.readString(file)).doesNotContain(ADMIN_PASSWORD);
            }
        }
    }

    @Test
    @Order(100)
    void noPasswordOrTokenReachedTheEnginesLog() throws IOException {
        String log = Files.readString(serveOut) + Files.readString(serveErr);
        assertThat(log).contains("/cachalot/api/v1/rules");
        for (String secret : List.of(ADMIN_PASSWORD, PULLER_PASSWORD, NEW_USER_PASSWORD, adminToken, pullerToken, adminBearer,
                pullerBearer)) {
            assertThat(log).doesNotContain(secret);
        }
    }

    // ------------------------------------------------------------------ helpers

    /** {@code cachalot --engine URL args} in its own process, with {@code CACHALOT_TOKEN} set to {@code token} (or unset). */
    private Cli.Run remote(String token, String stdin, String... args) {
        List<String> all = new ArrayList<>(List.of("--engine", url));
        all.addAll(List.of(args));
        // no token stored by `cachalot login` on this machine may stand in for the one given here
        return cachalot(temp.resolve("client-config"), token, stdin, all.toArray(String[]::new));
    }

    /** {@code cachalot args} in its own process with its own config folder (where `login` stores tokens). */
    private Cli.Run cachalot(Path config, String token, String stdin, String... args) {
        List<String> command = new ArrayList<>(List.of(java(), "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                "-Dcachalot.config=" + config, "dev.cachalot.Main"));
        command.addAll(List.of(args));
        try {
            Path out = Files.createTempFile(temp, "cli", ".out");
            Path err = Files.createTempFile(temp, "cli", ".err");
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().remove(EngineTarget.TOKEN_VARIABLE);
            if (token != null) builder.environment().put(EngineTarget.TOKEN_VARIABLE, token);
            Process process = builder.start();
            try (var in = process.getOutputStream()) {
                if (stdin != null) in.write((stdin + "\n").getBytes(StandardCharsets.UTF_8));
            }
            if (!process.waitFor(COMMAND_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("cachalot " + args[0] + " did not finish");
            }
            return new Cli.Run(List.of(args), process.exitValue(), Files.readString(out), Files.readString(err));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void withStdin(String line, Runnable action) {
        InputStream original = System.in;
        System.setIn(new ByteArrayInputStream((line + "\n").getBytes(StandardCharsets.UTF_8)));
        try {
            action.run();
        } finally {
            System.setIn(original);
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
