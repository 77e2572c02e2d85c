package dev.cachalot.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import dev.cachalot.oci.MediaTypes;
import dev.cachalot.rules.RuleService;
import dev.cachalot.rules.RuleStore;
import dev.cachalot.rules.Upstream;
import dev.cachalot.rules.UpstreamStore;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.storage.Database;
import dev.cachalot.testing.DockerRegistryFixture;
import dev.cachalot.testing.RegistryPusher;
import dev.cachalot.testing.TestImages;
import dev.cachalot.upstream.OkHttpUpstreamClient;
import dev.cachalot.upstream.UpstreamException;
import dev.cachalot.upstream.UpstreamManifest;
import dev.cachalot.upstream.UpstreamRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Credential sets against Debian's real docker-registry with htpasswd basic auth on loopback, through the real
 * OkHttp upstream client reading its logins from the vault.
 */
class CredentialsRegistryIntegrationTest {

    private static final String USER = "puller";
    private static final String PASSWORD = "Corr3ct-h0rse-Battery";
    private static final String WRONG = "Wr0ng-pony-Staple";

    @TempDir
    Path dir;
    private DockerRegistryFixture registry;
    private RegistryPusher.PushedImage pushed;
    private Database database;
    private CredentialService credentials;
    private RuleService rules;
    private OkHttpUpstreamClient client;
    private Upstream upstream;
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final java.util.Map<Logger, ch.qos.logback.classic.Level> levels = new java.util.HashMap<>();

    @BeforeEach
    void start() {
        logs.start();
        // Everything, DEBUG included, whatever another test configured: the more is logged, the stronger the check.
        for (String name : new String[]{org.slf4j.Logger.ROOT_LOGGER_NAME, "dev.cachalot", "okhttp3"}) {
            Logger logger = (Logger) LoggerFactory.getLogger(name);
            levels.put(logger, logger.getLevel());
            logger.setLevel(ch.qos.logback.classic.Level.DEBUG);
        }
        root.addAppender(logs);
        registry = DockerRegistryFixture.builder().htpasswd(USER, PASSWORD).start();
        pushed = registry.pusher().push("team/hello", "v1", new TestImages(7).dockerImage());

        DataFolder folder = new DataFolder(dir);
        database = Database.open(folder);
        CredentialSetStore store = new CredentialSetStore(database);
        Vault vault = new Vault(folder, new VaultOptions(n -> null, Keyring.NONE, PassphrasePrompt.NONE, VaultOptions.MIN_ITERATIONS));
        VaultCredentials vaultCredentials = new VaultCredentials(store, vault, Clock.systemUTC());
        client = new OkHttpUpstreamClient(vaultCredentials);
        UpstreamStore upstreams = new UpstreamStore(database);
        RuleStore ruleStore = new RuleStore(database);
        credentials = new CredentialService(database, store, ruleStore, upstreams, vault, vaultCredentials, client, Clock.systemUTC());
        rules = new RuleService(database, ruleStore, upstreams, name -> false, credentials.lookup());
        upstream = rules.addUpstream(registry.hostPort(), registry.url(), null);
    }

    @AfterEach
    void stop() {
        root.detachAppender(logs);
        levels.forEach(Logger::setLevel);
        if (client != null) client.close();
        if (database != null) database.close();
        if (registry != null) registry.close();
    }

    @Test
    void pullsThroughARuleWithACredentialSetAndKeepsThePasswordOutOfEveryFileAndLog() {
        CredentialSet set = credentials.createWithLogin("team-creds", registry.hostPort(), USER, PASSWORD.toCharArray());
        assertThat(set.health()).isEqualTo(CredentialSet.Health.Healthy);
        assertThat(set.lastChecked()).isNotNull();
        rules.create("team-rule", registry.hostPort() + "/team/*", "team/*", "team-creds", null);

        UpstreamManifest manifest = client.fetchManifest(new UpstreamRequest(upstream, "team/hello", "team-creds"), "v1",
                MediaTypes.DEFAULT_ACCEPT);
        assertThat(manifest.digest().toString()).isEqualTo(pushed.image().digest());
        assertThat(credentials.validate("team-creds").health()).isEqualTo(CredentialSet.Health.Healthy);

        assertNoPasswordAnywhere(PASSWORD);
    }

    @Test
    void checksALoginBeforeSavingAndSavesNothing() {
        char[] wrong = WRONG.toCharArray();
        LoginCheck refused = credentials.checkLogin(registry.hostPort(), USER, wrong);
        assertThat(refused.accepted()).isFalse();
        assertThat(refused.errorCode()).isEqualTo("UpstreamUnauthorized");
        assertThat(refused.errorMessage()).contains("refused the login of user '" + USER + "'");
        assertThat(new String(wrong)).doesNotContain(WRONG); // cleared

        assertThat(credentials.checkLogin(registry.hostPort(), USER, PASSWORD.toCharArray()).accepted()).isTrue();
        assertThat(credentials.list()).isEmpty();
        assertThat(credentials.secretNames()).isEmpty();
        assertNoPasswordAnywhere(PASSWORD);
    }

    @Test
    void updatingALoginReplacesTheSecretsAndChecksItAgain() {
        assertThat(credentials.createWithLogin("team-creds", registry.hostPort(), USER, WRONG.toCharArray()).health())
                .isEqualTo(CredentialSet.Health.Unhealthy);

        CredentialSet updated = credentials.updateLogin("team-creds", USER, PASSWORD.toCharArray());

        assertThat(updated.health()).isEqualTo(CredentialSet.Health.Healthy);
        assertThat(updated.passwordSecret()).isEqualTo("vault:team-creds-password");
        assertThat(credentials.secretNames()).containsExactlyInAnyOrder("team-creds-username", "team-creds-password");
        assertNoPasswordAnywhere(PASSWORD);
    }

    @Test
    void aWrongPasswordIsRefusedAndMarksTheSetUnhealthy() {
        CredentialSet set = credentials.createWithLogin("team-creds", registry.hostPort(), USER, WRONG.toCharArray());
        assertThat(set.health()).isEqualTo(CredentialSet.Health.Unhealthy);
        assertThat(set.errorCode()).isEqualTo("UpstreamUnauthorized");
        assertThat(set.errorMessage()).contains("refused the login of credential set 'team-creds'");
        rules.create("team-rule", registry.hostPort() + "/team/*", "team/*", "team-creds", null);

        assertThatThrownBy(() -> client.fetchManifest(new UpstreamRequest(upstream, "team/hello", "team-creds"), "v1",
                MediaTypes.DEFAULT_ACCEPT))
                .isInstanceOfSatisfying(UpstreamException.class,
                        e -> assertThat(e.kind()).isEqualTo(UpstreamException.Kind.UNAUTHORIZED));
        CredentialSet after = credentials.show("team-creds").orElseThrow();
        assertThat(after.health()).isEqualTo(CredentialSet.Health.Unhealthy);
        assertThat(after.errorCode()).isEqualTo("UpstreamUnauthorized");

        // Fixing the password makes it healthy again.
        credentials.setSecret("team-creds-password", PASSWORD.toCharArray());
        assertThat(credentials.validate("team-creds").health()).isEqualTo(CredentialSet.Health.Healthy);

        assertNoPasswordAnywhere(WRONG);
        assertNoPasswordAnywhere(PASSWORD);
    }

    @Test
    void anUnreachableUpstreamIsReportedAsSuch() {
        credentials.createWithLogin("team-creds", registry.hostPort(), USER, PASSWORD.toCharArray());
        registry.stop();
        CredentialSet set = credentials.validate("team-creds");
        assertThat(set.health()).isEqualTo(CredentialSet.Health.Unhealthy);
        assertThat(set.errorCode()).isEqualTo("UpstreamUnreachable");
    }

    private void assertNoPasswordAnywhere(String password) {
        for (var charset : new java.nio.charset.Charset[]{StandardCharsets.UTF_8, StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE}) {
            assertThat(Bytes.filesContaining(dir, password.getBytes(charset))).as("files containing the password").isEmpty();
        }
        String base64 = java.util.Base64.getEncoder().encodeToString((USER + ":" + password).getBytes(StandardCharsets.UTF_8));
        assertThat(Bytes.filesContaining(dir, base64.getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThat(logs.list).isNotEmpty(); // the check can fail: something was logged
        for (ILoggingEvent event : logs.list) {
            assertThat(event.getFormattedMessage()).doesNotContain(password).doesNotContain(base64);
            for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
                assertThat(String.valueOf(t.getMessage())).doesNotContain(password).doesNotContain(base64);
            }
        }
    }
}
