package dev.cachalot.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachalot.oci.Digest;
import dev.cachalot.rules.ImportEntry;
import dev.cachalot.rules.RuleService;
import dev.cachalot.rules.RuleStore;
import dev.cachalot.rules.RuleValidationException;
import dev.cachalot.rules.Upstream;
import dev.cachalot.rules.UpstreamStore;
import dev.cachalot.rules.io.CredentialSetTable;
import dev.cachalot.rules.io.RuleImporter;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.storage.Database;
import dev.cachalot.testing.MutableClock;
import dev.cachalot.upstream.UpstreamBlob;
import dev.cachalot.upstream.UpstreamClient;
import dev.cachalot.upstream.UpstreamException;
import dev.cachalot.upstream.UpstreamManifest;
import dev.cachalot.upstream.UpstreamRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CredentialServiceTest {

    private static final String PASSWORD = "hunter2-very-secret";

    @TempDir
    Path dir;
    private Database database;
    private CredentialSetStore store;
    private Vault vault;
    private VaultCredentials credentials;
    private CredentialService service;
    private RuleService rules;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T10:00:00Z"));
    /** What the upstream answers to checkLogin; a real upstream is exercised in CredentialsRegistryIntegrationTest. */
    private LoginCheck upstream = (u, set) -> { };

    @BeforeEach
    void open() {
        DataFolder folder = new DataFolder(dir);
        database = Database.open(folder);
        store = new CredentialSetStore(database);
        vault = new Vault(folder, new VaultOptions(n -> null, Keyring.NONE, PassphrasePrompt.NONE, VaultOptions.MIN_ITERATIONS));
        credentials = new VaultCredentials(store, vault, clock);
        UpstreamStore upstreams = new UpstreamStore(database);
        RuleStore ruleStore = new RuleStore(database);
        service = new CredentialService(database, store, ruleStore, upstreams, vault, credentials, new FakeClient(), clock);
        rules = new RuleService(database, ruleStore, upstreams, name -> false, service.lookup());
        rules.addUpstream("127.0.0.1:5001", "http://127.0.0.1:5001", null);
    }

    @AfterEach
    void close() {
        database.close();
    }

    @Test
    void createsASetWithANewLoginKeptInTheVault() {
        char[] password = PASSWORD.toCharArray();
        CredentialSet set = service.createWithLogin("Hub-Creds", "Registry-1.Docker.io", "alice", password);

        assertThat(set.loginServer()).isEqualTo("docker.io");
        assertThat(set.usernameSecret()).isEqualTo("vault:hub-creds-username");
        assertThat(set.passwordSecret()).isEqualTo("vault:hub-creds-password");
        assertThat(set.health()).isEqualTo(CredentialSet.Health.Healthy);
        assertThat(set.lastChecked()).isEqualTo(clock.instant());
        assertThat(new String(password)).isEqualTo("\0".repeat(PASSWORD.length()));
        assertThat(new String(vault.get("hub-creds-password").orElseThrow())).isEqualTo(PASSWORD);
        assertThat(credentials.login("Hub-Creds")).hasValueSatisfying(l -> {
            assertThat(l.username()).isEqualTo("alice");
            assertThat(new String(l.password())).isEqualTo(PASSWORD);
            assertThat(l.toString()).doesNotContain(PASSWORD);
        });
        assertThat(set.toString()).doesNotContain(PASSWORD);
    }

    /** The importer and creation share one name rule: a file cannot bring in a set that could not be created. */
    @ParameterizedTest
    @ValueSource(strings = {"hub-creds", "hub-creds-", "-hub-creds", "hub_creds", "abcd", "abcde",
            "a2345678901234567890123456789012345678901234567890", "a23456789012345678901234567890123456789012345678901"})
    void importRefusesExactlyTheNamesCreationRefuses(String name) throws Exception {
        Path file = dir.resolve("sets.json");
        Files.writeString(file, "{\"version\": 1, \"rules\": [], \"credentialSets\": [{\"name\": \"" + name
                + "\", \"loginServer\": \"docker.io\", \"usernameSecret\": \"vault:u-name\", \"passwordSecret\": \"vault:p-word\"}]}");
        RuleImporter importer = new RuleImporter(database, new RuleStore(database), new UpstreamStore(database),
                new CredentialSetTable(database), n -> false);
        ImportEntry imported = importer.preview(List.of(file), null).entries().get(0);

        String createProblem;
        try {
            service.createWithLogin(name, "docker.io", "alice", PASSWORD.toCharArray());
            createProblem = null;
        } catch (CredentialSetException e) {
            createProblem = e.getMessage();
        }
        assertThat(imported.problem()).isEqualTo(createProblem);
        assertThat(imported.valid()).isEqualTo(createProblem == null);
    }

    @Test
    void createsASetFromExistingSecrets() {
        vault.set("ghcr-user", "alice".toCharArray());
        vault.set("ghcr-token", PASSWORD.toCharArray());

        CredentialSet set = service.create("ghcr-creds", "ghcr.io", "vault:ghcr-user", "vault:ghcr-token");
        assertThat(service.list()).containsExactly(set);
        assertThat(service.show("ghcr-creds")).contains(set);
    }

    @Test
    void refusesNamesServersAndSecretsThatDoNotFit() {
        assertThatThrownBy(() -> service.createWithLogin("hub", "docker.io", "alice", PASSWORD.toCharArray()))
                .isInstanceOf(CredentialSetException.class).hasMessageContaining("must be 5 to 50 characters long");
        assertThatThrownBy(() -> service.createWithLogin("hub_creds", "docker.io", "alice", PASSWORD.toCharArray()))
                .hasMessageContaining("only letters, digits and hyphens");
        assertThatThrownBy(() -> service.createWithLogin("mcr-creds", "mcr.microsoft.com", "alice", PASSWORD.toCharArray()))
                .hasMessage("Microsoft Artifact Registry (mcr.microsoft.com) allows anonymous pulls only: it takes no credential set");
        assertThatThrownBy(() -> service.createWithLogin("ecr-creds", "public.ecr.aws", "alice", PASSWORD.toCharArray()))
                .hasMessageContaining("allows anonymous pulls only");
        assertThatThrownBy(() -> service.createWithLogin("mine-creds", "registry.example.com", "alice", PASSWORD.toCharArray()))
                .hasMessage("no upstream is known for login server 'registry.example.com': add it as a custom upstream first");
        assertThatThrownBy(() -> service.create("ghcr-creds", "ghcr.io", "vault:nope", "vault:nope"))
                .hasMessageContaining("secret 'vault:nope' does not exist in the vault: create it with `cachalot secrets set nope`");
        assertThatThrownBy(() -> service.create("ghcr-creds", "ghcr.io", "plain-text", "vault:nope"))
                .hasMessageContaining("must look like vault:<name>");

        service.createWithLogin("hub-creds", "docker.io", "alice", PASSWORD.toCharArray());
        assertThatThrownBy(() -> service.createWithLogin("HUB-CREDS", "docker.io", "bob", "other".toCharArray()))
                .hasMessageContaining("differs only in case");
        assertThat(service.list()).hasSize(1);
        assertThat(new String(vault.get("hub-creds-password").orElseThrow())).isEqualTo(PASSWORD);
    }

    @Test
    void refusesToDeleteASetRulesUseAndNamesThem() {
        service.createWithLogin("local-creds", "127.0.0.1:5001", "alice", PASSWORD.toCharArray());
        rules.create("team-rule", "127.0.0.1:5001/team/*", "team/*", "local-creds", null);
        rules.create("tools-rule", "127.0.0.1:5001/tools/*", "tools/*", "local-creds", null);

        assertThatThrownBy(() -> service.delete("local-creds"))
                .isInstanceOf(CredentialSetException.class)
                .hasMessage("credential set 'local-creds' is used by rules 'team-rule', 'tools-rule': change or delete them first");
        assertThat(service.show("local-creds")).isPresent();

        rules.delete("team-rule");
        rules.setCredentialSet("tools-rule", null);
        service.delete("local-creds");
        assertThat(service.list()).isEmpty();
        assertThat(vault.list()).doesNotContain("local-creds-username", "local-creds-password");
    }

    @Test
    void keepsSecretsOtherSetsStillUseWhenDeleting() {
        vault.set("shared-user", "alice".toCharArray());
        vault.set("shared-token", PASSWORD.toCharArray());
        service.create("first-set", "ghcr.io", "vault:shared-user", "vault:shared-token");
        service.delete("first-set");
        assertThat(vault.list()).contains("shared-user", "shared-token");
        assertThatThrownBy(() -> service.delete("first-set")).hasMessage("there is no credential set named 'first-set'");
    }

    @Test
    void refusesToDeleteASecretACredentialSetUses() {
        service.createWithLogin("hub-creds", "docker.io", "alice", PASSWORD.toCharArray());
        assertThatThrownBy(() -> service.deleteSecret("hub-creds-password"))
                .hasMessage("secret 'hub-creds-password' is used by credential set 'hub-creds': update or delete it first");
        service.setSecret("spare", "x".toCharArray());
        assertThat(service.deleteSecret("spare")).isTrue();
        assertThat(service.secretNames()).containsExactly("hub-creds-password", "hub-creds-username");
    }

    @Test
    void updatesTheSecretsASetReferences() {
        service.createWithLogin("ghcr-creds", "ghcr.io", "alice", PASSWORD.toCharArray());
        service.setSecret("new-token", "fresh".toCharArray());
        long before = database.configVersion();

        CredentialSet updated = service.update("ghcr-creds", null, "vault:new-token");
        assertThat(updated.usernameSecret()).isEqualTo("vault:ghcr-creds-username");
        assertThat(updated.passwordSecret()).isEqualTo("vault:new-token");
        assertThat(database.configVersion()).isGreaterThan(before);
        assertThatThrownBy(() -> service.update("ghcr-creds", "vault:missing", null)).hasMessageContaining("does not exist");
    }

    @Test
    void validationReportsMissingSecrets() {
        service.createWithLogin("ghcr-creds", "ghcr.io", "alice", PASSWORD.toCharArray());
        vault.delete("ghcr-creds-password");

        CredentialSet set = service.validate("ghcr-creds");
        assertThat(set.health()).isEqualTo(CredentialSet.Health.Unhealthy);
        assertThat(set.errorCode()).isEqualTo("SecretNotFound");
        assertThat(set.errorMessage()).isEqualTo("secret 'vault:ghcr-creds-password' does not exist in the vault");
    }

    @Test
    void validationNamesWhatTheUpstreamSaid() {
        service.createWithLogin("ghcr-creds", "ghcr.io", "alice", PASSWORD.toCharArray());

        upstream = (u, set) -> { throw new UpstreamException(UpstreamException.Kind.UNAUTHORIZED, 401, "ghcr.io: HTTP 401", null, null); };
        clock.advance(Duration.ofSeconds(5));
        CredentialSet unauthorized = service.validate("ghcr-creds");
        assertThat(unauthorized.health()).isEqualTo(CredentialSet.Health.Unhealthy);
        assertThat(unauthorized.errorCode()).isEqualTo("UpstreamUnauthorized");
        assertThat(unauthorized.errorMessage()).contains("GitHub Container Registry refused the login");
        assertThat(unauthorized.lastChecked()).isEqualTo(clock.instant());

        upstream = (u, set) -> { throw new UpstreamException(UpstreamException.Kind.UNAVAILABLE, "ghcr.io: connection refused"); };
        assertThat(service.validate("ghcr-creds").errorCode()).isEqualTo("UpstreamUnreachable");

        upstream = (u, set) -> { throw new UpstreamException(UpstreamException.Kind.PROTOCOL, "ghcr.io: bad challenge"); };
        assertThat(service.validate("ghcr-creds").errorCode()).isEqualTo("UpstreamError");

        // The client knows more than its exception: a refused token realm means our login was never tried.
        upstream = (u, set) -> {
            credentials.reportHealth(set, false, "TokenRealmRejected", "ghcr.io: token realm evil.example is not a host of ghcr.io");
            throw new UpstreamException(UpstreamException.Kind.UNAUTHORIZED, 401, "ghcr.io: HTTP 401", null, null);
        };
        CredentialSet rejected = service.validate("ghcr-creds");
        assertThat(rejected.errorCode()).isEqualTo("TokenRealmRejected");
        assertThat(rejected.errorMessage()).contains("evil.example");

        upstream = (u, set) -> { };
        CredentialSet healthy = service.validate("ghcr-creds");
        assertThat(healthy.health()).isEqualTo(CredentialSet.Health.Healthy);
        assertThat(healthy.errorCode()).isNull();
        assertThat(healthy.errorMessage()).isNull();
    }

    @Test
    void writesReportedHealthOnlyWhenItChangesOrAMinuteHasPassed() {
        service.createWithLogin("ghcr-creds", "ghcr.io", "alice", PASSWORD.toCharArray());
        Instant validated = clock.instant();

        clock.advance(Duration.ofSeconds(10));
        credentials.reportHealth("ghcr-creds", true, null, null);
        assertThat(service.show("ghcr-creds").orElseThrow().lastChecked()).isEqualTo(validated);

        credentials.reportHealth("ghcr-creds", false, "UpstreamUnreachable", "ghcr.io: timed out");
        CredentialSet failed = service.show("ghcr-creds").orElseThrow();
        assertThat(failed.errorCode()).isEqualTo("UpstreamUnreachable");
        assertThat(failed.lastChecked()).isEqualTo(clock.instant());

        clock.advance(Duration.ofSeconds(61));
        credentials.reportHealth("ghcr-creds", false, "UpstreamUnreachable", "ghcr.io: timed out");
        assertThat(service.show("ghcr-creds").orElseThrow().lastChecked()).isEqualTo(clock.instant());

        credentials.reportHealth("ghcr-creds", true, null, null);
        assertThat(service.show("ghcr-creds").orElseThrow().health()).isEqualTo(CredentialSet.Health.Healthy);
    }

    @Test
    void recordsDockerHubRateLimits() {
        service.createWithLogin("hub-creds", "docker.io", "alice", PASSWORD.toCharArray());
        credentials.reportRateLimit("hub-creds", "200;w=21600", "187;w=21600");
        CredentialSet set = service.show("hub-creds").orElseThrow();
        assertThat(set.rateLimitLimit()).isEqualTo("200;w=21600");
        assertThat(set.rateLimitRemaining()).isEqualTo("187;w=21600");
    }

    @Test
    void rulesRespectTheCatalogAndNeedAnExistingSetForTheirUpstream() {
        assertThatThrownBy(() -> rules.create("nginx-rule", "nginx", "nginx", null, null))
                .isInstanceOf(RuleValidationException.class)
                .hasMessageContaining("Docker Hub allows authenticated pulls only: choose a credential set");
        assertThatThrownBy(() -> rules.create("nginx-rule", "docker.io/library/nginx", "nginx", "nope-creds", null))
                .hasMessageContaining("there is no credential set named 'nope-creds': create it first");

        service.createWithLogin("ghcr-creds", "ghcr.io", "alice", PASSWORD.toCharArray());
        assertThatThrownBy(() -> rules.create("nginx-rule", "docker.io/library/nginx", "nginx", "ghcr-creds", null))
                .hasMessageContaining("credential set 'ghcr-creds' is for ghcr.io, not for docker.io");
        assertThatThrownBy(() -> rules.create("dotnet-rule", "mcr.microsoft.com/dotnet/runtime", "dotnet/runtime", "ghcr-creds", null))
                .hasMessageContaining("Microsoft Artifact Registry allows anonymous pulls only: remove the credential set 'ghcr-creds'");

        service.createWithLogin("hub-creds", "docker.io", "alice", PASSWORD.toCharArray());
        assertThat(rules.create("nginx-rule", "nginx", "nginx", "hub-creds", null).credentialSet()).isEqualTo("hub-creds");
        assertThatThrownBy(() -> rules.setCredentialSet("nginx-rule", "ghcr-creds"))
                .hasMessageContaining("is for ghcr.io, not for docker.io");
        assertThatThrownBy(() -> rules.setCredentialSet("nginx-rule", "gone-creds"))
                .hasMessageContaining("there is no credential set named 'gone-creds'");
    }

    @Test
    void keepsThePasswordOutOfTheDatabaseFilesAndTheVaultFile() {
        service.createWithLogin("hub-creds", "docker.io", "alice", PASSWORD.toCharArray());
        service.validate("hub-creds");
        database.close();

        assertThat(Bytes.filesContaining(dir, PASSWORD.getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThat(Bytes.filesContaining(dir, PASSWORD.getBytes(StandardCharsets.UTF_16BE))).isEmpty();
        assertThat(Bytes.filesContaining(dir, PASSWORD.getBytes(StandardCharsets.UTF_16LE))).isEmpty();
        // The check can fail: the username is in no file either, but the set's name is in H2.
        assertThat(Bytes.filesContaining(dir, "hub-creds".getBytes(StandardCharsets.UTF_8))).isNotEmpty();
        database = Database.open(new DataFolder(dir));
    }

    @FunctionalInterface
    interface LoginCheck {
        void check(Upstream upstream, String credentialSet);
    }

    /** Only checkLogin is used by the service. */
    private final class FakeClient implements UpstreamClient {
        @Override
        public void checkLogin(Upstream u, String credentialSet) {
            upstream.check(u, credentialSet);
        }

        @Override
        public UpstreamManifest fetchManifest(UpstreamRequest request, String reference, List<String> accept) {
            throw new UnsupportedOperationException();
        }

        @Override
        public UpstreamManifest.Head headManifest(UpstreamRequest request, String reference, List<String> accept) {
            throw new UnsupportedOperationException();
        }

        @Override
        public UpstreamBlob openBlob(UpstreamRequest request, Digest digest) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<String> tags(UpstreamRequest request) {
            throw new UnsupportedOperationException();
        }
    }
}
