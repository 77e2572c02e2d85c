package dev.cachalot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.credentials.CredentialService;
import dev.cachalot.credentials.CredentialSetStore;
import dev.cachalot.credentials.Keyring;
import dev.cachalot.credentials.PassphrasePrompt;
import dev.cachalot.credentials.Vault;
import dev.cachalot.credentials.VaultCredentials;
import dev.cachalot.credentials.VaultOptions;
import dev.cachalot.engine.CredentialSetView;
import dev.cachalot.rules.RuleStore;
import dev.cachalot.rules.UpstreamStore;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.storage.Database;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The credentials and secrets commands with System.in swapped, on a real data folder (vault and H2). */
class CredentialsCommandTest {

    private static final String PASSWORD = "p4ss-w0rd-from-stdin";

    @TempDir
    Path dir;
    private final InputStream originalIn = System.in;
    private final StringWriter output = new StringWriter();

    @AfterEach
    void restoreStdin() {
        System.setIn(originalIn);
    }

    /** Opens the parts a command needs, as the engine would, without an upstream client (no network here). */
    private static CredentialsCli open(Path dataFolder) {
        DataFolder folder = new DataFolder(dataFolder);
        Database database = Database.open(folder);
        CredentialSetStore store = new CredentialSetStore(database);
        Vault vault = new Vault(folder, new VaultOptions(n -> null, Keyring.NONE, PassphrasePrompt.NONE, VaultOptions.MIN_ITERATIONS));
        VaultCredentials credentials = new VaultCredentials(store, vault, Clock.systemUTC());
        CredentialService service = new CredentialService(database, store, new RuleStore(database), new UpstreamStore(database),
                vault, credentials, null, Clock.systemUTC());
        return new ServiceCredentials(service, database);
    }

    private int run(String stdin, String... args) {
        if (stdin != null) System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        PrintWriter pw = new PrintWriter(output, true);
        CommandLine cl = CachalotCommand.commandLine(pw, pw);
        // The real command line wires these to the engine; here they get parts without an upstream client.
        cl.getCommandSpec().removeSubcommand("credentials");
        cl.getCommandSpec().removeSubcommand("secrets");
        cl.addSubcommand(new CredentialsCommand(CredentialsCommandTest::open));
        cl.addSubcommand(new SecretsCommand(CredentialsCommandTest::open));
        // setOut/setErr reach only the subcommands present when called: the lead's commandLine() adds these first.
        cl.setOut(pw);
        cl.setErr(pw);
        String[] all = Stream.concat(Stream.of("--data", dir.toString()), Stream.of(args)).toArray(String[]::new);
        return cl.execute(all);
    }

    @Test
    void createsASetFromTwoLinesOfStandardInputAndNeverPrintsThePassword() throws IOException {
        assertThat(run("alice\n" + PASSWORD + "\n", "credentials", "create", "--name", "hub-creds", "--login-server", "docker.io"))
                .isEqualTo(0);
        assertThat(output.toString()).contains("Created credential set hub-creds for docker.io");

        assertThat(run(null, "credentials", "list")).isZero();
        assertThat(output.toString()).containsPattern("hub-creds\\s+docker.io\\s+Healthy");
        assertThat(run(null, "credentials", "show", "hub-creds")).isZero();
        assertThat(output.toString()).contains("vault:hub-creds-password");
        assertThat(run(null, "credentials", "show", "hub-creds", "--json")).isZero();
        assertThat(run(null, "secrets", "list")).isZero();
        assertThat(output.toString()).contains("vault:hub-creds-password\nvault:hub-creds-username\n");
        assertThat(run(null, "credentials", "validate", "hub-creds")).isEqualTo(1); // no upstream client in this test

        assertThat(output.toString()).doesNotContain(PASSWORD).doesNotContain("alice");
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                assertThat(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1)).as(p.toString()).doesNotContain(PASSWORD);
            }
        }
    }

    @Test
    void listsSecretNamesOnlyAndStoresValuesFromStandardInput() {
        assertThat(run(PASSWORD + "\n", "secrets", "set", "quay-token")).isZero();
        assertThat(run(null, "secrets", "list")).isZero();
        assertThat(output.toString()).contains("Stored secret vault:quay-token").contains("vault:quay-token\n");

        assertThat(run("bob\n", "secrets", "set", "quay-user")).isZero();
        assertThat(run(null, "credentials", "create", "--name", "quay-creds", "--login-server", "quay.io",
                "--username-secret", "vault:quay-user", "--password-secret", "vault:quay-token")).isZero();
        assertThat(run(null, "secrets", "delete", "quay-token")).isEqualTo(1);
        assertThat(output.toString()).contains("secret 'quay-token' is used by credential set 'quay-creds'");
        assertThat(run(null, "credentials", "delete", "quay-creds")).isZero();
        assertThat(run(null, "secrets", "delete", "vault:quay-token")).isZero();
        assertThat(output.toString()).doesNotContain(PASSWORD);
    }

    @Test
    void refusesHalfASecretPairAndEmptyInputWithAClearLine() {
        assertThat(run(null, "credentials", "create", "--name", "hub-creds", "--login-server", "docker.io",
                "--username-secret", "vault:x")).isEqualTo(1);
        assertThat(output.toString()).contains("cachalot: give both --username-secret and --password-secret");

        assertThat(run("", "credentials", "create", "--name", "hub-creds", "--login-server", "docker.io")).isEqualTo(1);
        assertThat(output.toString()).contains("expected the username on standard input, found nothing");

        assertThat(run("alice\n" + PASSWORD + "\n", "credentials", "create", "--name", "mcr-creds", "--login-server",
                "mcr.microsoft.com")).isEqualTo(1);
        assertThat(output.toString()).contains("allows anonymous pulls only").doesNotContain(PASSWORD);
    }

    @Test
    void showsTheDockerHubPullQuota() {
        assertThat(CredentialsCommand.quota(view("200;w=21600", "187;w=21600"))).isEqualTo("187 of 200 pulls left per 6 h");
        assertThat(CredentialsCommand.quota(view(null, null))).isNull();
    }

    private static dev.cachalot.engine.CredentialSetView view(String limit, String remaining) {
        return new dev.cachalot.engine.CredentialSetView("hub-creds", "docker.io", "vault:a", "vault:b", "Healthy", null, null,
                null, limit, remaining, java.time.Instant.EPOCH);
    }

    /**
     * The commands' view of credentials over a CredentialService built without an upstream client: the engine's own
     * would check every new docker.io login with Docker Hub, and tests send nothing off loopback.
     */
    private record ServiceCredentials(CredentialService service, AutoCloseable owner) implements CredentialsCli {
        @Override
        public List<CredentialSetView> list() {
            return service.list().stream().map(CredentialSetView::of).toList();
        }

        @Override
        public Optional<CredentialSetView> show(String name) {
            return service.show(name).map(CredentialSetView::of);
        }

        @Override
        public CredentialSetView createWithLogin(String name, String loginServer, String username, char[] password) {
            return CredentialSetView.of(service.createWithLogin(name, loginServer, username, password));
        }

        @Override
        public CredentialSetView createFromSecrets(String name, String loginServer, String usernameSecretId, String passwordSecretId) {
            return CredentialSetView.of(service.create(name, loginServer, usernameSecretId, passwordSecretId));
        }

        @Override
        public CredentialSetView update(String name, String usernameSecretIdOrNull, String passwordSecretIdOrNull) {
            return CredentialSetView.of(service.update(name, usernameSecretIdOrNull, passwordSecretIdOrNull));
        }

        @Override
        public void delete(String name) {
            service.delete(name);
        }

        @Override
        public CredentialSetView validate(String name) {
            return CredentialSetView.of(service.validate(name));
        }

        @Override
        public void setSecret(String name, char[] value) {
            service.setSecret(name, value);
        }

        @Override
        public List<String> secretNames() {
            return service.secretNames();
        }

        @Override
        public boolean deleteSecret(String name) {
            return service.deleteSecret(name);
        }

        @Override
        public void close() {
            try {
                owner.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
