package dev.cachalot.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachalot.storage.PostgresSettings;
import dev.cachalot.storage.S3Settings;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigTest {

    private static final Map<String, String> KEY = Map.of(
            "CACHALOT_S3_ACCESS_KEY_ID", "node-key", "CACHALOT_S3_SECRET_ACCESS_KEY", "s3cr3t-value-never-shown");

    @TempDir
    Path dir;

    private ServerConfig load(String yaml, Map<String, String> env) throws Exception {
        Path file = dir.resolve("cachalot.yaml");
        Files.writeString(file, yaml);
        return ServerConfig.load(file, env);
    }

    @Test
    void blobsStayInTheDataFolderUnlessTheFileSaysS3() throws Exception {
        assertThat(load("", Map.of()).s3Storage()).isNull();
        assertThat(load("storage:\n  type: files\n", Map.of()).s3Storage()).isNull();
    }

    @Test
    void readsTheS3SectionWithTheKeyFromTheEnvironment() throws Exception {
        S3Settings s3 = load("""
                storage:
                  type: s3
                  s3:
                    endpoint: http://127.0.0.1:9000
                    region: eu-west-1
                    bucket: team-cache
                    prefix: ci/
                    pathStyle: false
                    partSizeMiB: 8
                    presignedRedirects: PT5M
                    abandonedUploadsAge: PT6H
                """, KEY).s3Storage();

        assertThat(s3.endpoint()).hasToString("http://127.0.0.1:9000");
        assertThat(s3.region()).isEqualTo("eu-west-1");
        assertThat(s3.bucket()).isEqualTo("team-cache");
        assertThat(s3.prefix()).isEqualTo("ci/");
        assertThat(s3.pathStyle()).isFalse();
        assertThat(s3.partSize()).isEqualTo(8L * 1024 * 1024);
        assertThat(s3.presignedRedirects()).isEqualTo(Duration.ofMinutes(5));
        assertThat(s3.abandonedUploadsAge()).isEqualTo(Duration.ofHours(6));
        assertThat(s3.credentials().accessKeyId()).isEqualTo("node-key");
        assertThat(s3.toString()).doesNotContain("s3cr3t-value-never-shown");
    }

    @Test
    void theSecretMayComeFromAFileNamedInTheEnvironment() throws Exception {
        Path secret = dir.resolve("secret");
        Files.writeString(secret, "from-a-file\n");
        S3Settings s3 = load("storage:\n  type: s3\n  s3:\n    endpoint: http://127.0.0.1:9000\n    bucket: abc\n",
                Map.of("CACHALOT_S3_ACCESS_KEY_ID", "k", "CACHALOT_S3_SECRET_ACCESS_KEY_FILE", secret.toString())).s3Storage();

        assertThat(s3.credentials().secretAccessKey()).isEqualTo("from-a-file");
        assertThat(s3.pathStyle()).as("the default: what S3-compatible servers need").isTrue();
        assertThat(s3.presignedRedirects()).as("redirects off by default").isZero();
    }

    @Test
    void refusesSecretsInTheFileAndNamesTheVariablesToUse() {
        assertThatThrownBy(() -> load("storage:\n  type: s3\n  s3:\n    endpoint: http://h:1\n    bucket: abc\n"
                + "    secretAccessKey: oops-in-the-file\n", KEY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("storage.s3.secretAccessKey").hasMessageContaining("CACHALOT_S3_SECRET_ACCESS_KEY")
                .hasMessageNotContaining("oops-in-the-file");
    }

    @Test
    void refusesSettingsItDoesNotKnowRatherThanIgnoringThem() {
        assertThatThrownBy(() -> load("databse:\n  type: postgresql\n", KEY))
                .hasMessageContaining("'databse' is not a setting this version knows");
        assertThatThrownBy(() -> load("database:\n  type: postgresql\n", KEY))
                .hasMessageContaining("no database.postgresql section");
        assertThatThrownBy(() -> load("database:\n  type: mysql\n", KEY)).hasMessageContaining("'h2' or 'postgresql'");
        assertThatThrownBy(() -> load("auth:\n  mode: maybe\n", KEY)).hasMessageContaining("'none' or 'required'");
        assertThatThrownBy(() -> load("auth:\n  allowAnonymous: perhaps\n", KEY)).hasMessageContaining("true or false");
        assertThatThrownBy(() -> load("limits:\n  connectionsPerAddress: 10\n", KEY))
                .hasMessageContaining("'limits' has no settings in this version");
        assertThatThrownBy(() -> load("storage:\n  type: s3\n  s3:\n    endpoint: http://h:1\n    bucket: abc\n    bukket: x\n", KEY))
                .hasMessageContaining("storage.s3.bukket");
        assertThatThrownBy(() -> load("storage:\n  type: gcs\n", KEY)).hasMessageContaining("'files' or 's3'");
    }

    @Test
    void saysWhatIsMissing() {
        assertThatThrownBy(() -> load("storage:\n  type: s3\n  s3:\n    endpoint: http://h:1\n", KEY))
                .hasMessageContaining("storage.s3.bucket is missing");
        assertThatThrownBy(() -> load("storage:\n  type: s3\n  s3:\n    endpoint: http://h:1\n    bucket: abc\n", Map.of()))
                .hasMessageContaining("CACHALOT_S3_ACCESS_KEY_ID");
        assertThatThrownBy(() -> load("storage:\n  type: s3\n  s3:\n    endpoint: http://h:1\n    bucket: abc\n"
                + "    presignedRedirects: 5 minutes\n", KEY)).hasMessageContaining("ISO-8601");
    }

    @Test
    void readsTheWholeServerFile() throws Exception {
        Path passwordFile = dir.resolve("db-password");
        Files.writeString(passwordFile, "pg-secret-from-file\n");
        ServerConfig config = load("""
                listen: 0.0.0.0:5443
                tls:
                  cert: tls/cert.pem
                  key: /etc/cachalot/key.pem
                auth:
                  mode: required
                  allowAnonymous: true
                database:
                  type: postgresql
                  postgresql:
                    url: jdbc:postgresql://127.0.0.1:5432/cachalot
                    user: cachalot
                    passwordFile: db-password
                """, Map.of());

        assertThat(config.listen()).isEqualTo("0.0.0.0:5443");
        assertThat(config.tlsCert()).as("relative to the file's folder").isEqualTo(dir.resolve("tls/cert.pem"));
        assertThat(config.tlsKey()).isEqualTo(Path.of("/etc/cachalot/key.pem"));
        assertThat(config.auth()).isEqualTo(ServingOptions.Auth.REQUIRED);
        assertThat(config.allowAnonymous()).isTrue();
        PostgresSettings db = config.database().shared();
        assertThat(db.url()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/cachalot");
        assertThat(db.user()).isEqualTo("cachalot");
        assertThat(db.password()).isEqualTo("pg-secret-from-file");
        assertThat(db.toString()).doesNotContain("pg-secret-from-file");
        assertThat(config.s3Storage()).isNull();
    }

    @Test
    void theDatabasePasswordInTheEnvironmentWinsAndAbsentSectionsSayNothing() throws Exception {
        ServerConfig config = load("database:\n  type: postgresql\n  postgresql:\n    url: jdbc:postgresql://h/db\n"
                + "    user: u\n", Map.of("CACHALOT_DATABASE_PASSWORD", "from-env"));
        assertThat(config.database().shared().password()).isEqualTo("from-env");

        ServerConfig empty = load("storage:\n  type: files\n", Map.of());
        assertThat(empty.listen()).isNull();
        assertThat(empty.tlsCert()).isNull();
        assertThat(empty.auth()).isNull();
        assertThat(empty.allowAnonymous()).isNull();
        assertThat(empty.database()).as("the environment decides").isNull();
        assertThat(load("database:\n  type: h2\n", Map.of()).database().shared()).isNull();
    }

    @Test
    void refusesADatabasePasswordInTheFileAndSaysWhereItGoes() {
        assertThatThrownBy(() -> load("database:\n  type: postgresql\n  postgresql:\n    url: jdbc:postgresql://h/db\n"
                + "    user: u\n    password: hunter2-in-the-file\n", Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("database.postgresql.password: secrets do not belong in the configuration file")
                .hasMessageContaining("CACHALOT_DATABASE_PASSWORD")
                .hasMessageNotContaining("hunter2-in-the-file");
        assertThatThrownBy(() -> load("database:\n  type: postgresql\n  postgresql:\n"
                + "    url: jdbc:postgresql://u:hunter2@h/db\n    user: u\n", Map.of()))
                .hasMessageContaining("must not contain a password").hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> load("database:\n  type: postgresql\n  postgresql:\n    url: jdbc:postgresql://h/db\n", Map.of()))
                .hasMessageContaining("database.postgresql.user is missing");
    }

    @Test
    void theTokenKeyFileIsTakenFromTheFilesFolderAndTheEnvironmentWins() throws Exception {
        ServerConfig config = load("auth:\n  mode: required\n  tokenKeyFile: keys/token.key\n", Map.of());
        assertThat(config.tokenKeyFile()).isEqualTo(dir.resolve("keys/token.key"));
        assertThat(config.applyTo(EngineOptions.withVault(null)).tokenKeyFile()).isEqualTo(dir.resolve("keys/token.key"));
        Path fromEnvironment = Path.of("/run/secrets/token.key");
        assertThat(config.applyTo(EngineOptions.withVault(null).withTokenKeyFile(fromEnvironment)).tokenKeyFile())
                .isEqualTo(fromEnvironment);
        assertThat(load("auth:\n  mode: required\n", Map.of()).tokenKeyFile()).isNull();
    }

    @Test
    void refusesATokenKeyInTheFileAndSaysWhereItGoes() {
        assertThatThrownBy(() -> load("auth:\n  tokenKey: c2VjcmV0LWtleS1pbi10aGUtZmlsZQ==\n", Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("auth.tokenKey: secrets do not belong in the configuration file")
                .hasMessageContaining("auth.tokenKeyFile").hasMessageContaining("CACHALOT_TOKEN_KEY_FILE")
                .hasMessageNotContaining("c2VjcmV0");
    }

    @Test
    void boundsLocalCopiesAndSetsTheGarbageGrace() throws Exception {
        ServerConfig config = load("""
                storage:
                  type: s3
                  garbageGrace: PT10M
                  s3:
                    endpoint: http://127.0.0.1:9000
                    bucket: team-cache
                    localCopiesMiB: 512
                """, KEY);

        assertThat(config.s3Storage().localCopiesBytes()).isEqualTo(512L * 1024 * 1024);
        assertThat(config.applyTo(EngineOptions.withVault(null)).garbageGrace()).isEqualTo(Duration.ofMinutes(10));
        assertThat(load("storage:\n  type: s3\n  s3:\n    endpoint: http://127.0.0.1:9000\n    bucket: abc\n", KEY)
                .s3Storage().localCopiesBytes()).isEqualTo(S3Settings.DEFAULT_LOCAL_COPIES_BYTES);
        assertThat(EngineOptions.withVault(null).garbageGrace()).isEqualTo(dev.cachalot.storage.GarbageCollector.DEFAULT_GRACE);
        assertThatThrownBy(() -> load("storage:\n  garbageGrace: an hour\n", Map.of()))
                .hasMessageContaining("storage.garbageGrace must be an ISO-8601 duration");
        assertThatThrownBy(() -> load("storage:\n  type: s3\n  s3:\n    endpoint: http://127.0.0.1:9000\n    bucket: abc\n"
                + "    localCopiesMiB: -1\n", KEY)).hasMessageContaining("storage.s3.localCopiesMiB");
    }

    @Test
    void listenMayBeAMappingNamingTheBalancersThatMayAnnounceClients() throws Exception {
        ServerConfig config = load("""
                listen:
                  address: 0.0.0.0:5000
                  trustedProxies: [127.0.0.1/32, 10.0.0.0/8, "2001:db8::/32"]
                """, Map.of());

        assertThat(config.listen()).isEqualTo("0.0.0.0:5000");
        assertThat(config.trustedProxies().contains(InetAddress.getByName("10.20.30.40"))).isTrue();
        assertThat(config.trustedProxies().contains(InetAddress.getByName("127.0.0.1"))).isTrue();
        assertThat(config.trustedProxies().contains(InetAddress.getByName("2001:db8::5"))).isTrue();
        assertThat(config.trustedProxies().contains(InetAddress.getByName("127.0.0.2"))).isFalse();
        assertThat(config.trustedProxies().contains(InetAddress.getByName("11.0.0.1"))).isFalse();
    }

    @Test
    void withoutTrustedProxiesNobodyIsTrustedAndTheScalarListenStillReads() throws Exception {
        ServerConfig scalar = load("listen: 127.0.0.1:5000\n", Map.of());
        assertThat(scalar.listen()).isEqualTo("127.0.0.1:5000");
        assertThat(scalar.trustedProxies().isEmpty()).isTrue();
        assertThat(load("", Map.of()).trustedProxies().isEmpty()).isTrue();
        assertThat(load("listen:\n  address: 127.0.0.1:5000\n", Map.of()).trustedProxies().isEmpty()).isTrue();
    }

    @Test
    void aBadRangeIsOneErrorNamingTheSettingAndTheEntry() {
        assertThatThrownBy(() -> load("listen:\n  trustedProxies: [10.0.0.0/8, 10.0.0.0/33]\n", Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cachalot.yaml")
                .hasMessageContaining("listen.trustedProxies: '10.0.0.0/33': the prefix length must be a number from 0 to 32");
        assertThatThrownBy(() -> load("listen:\n  trustedProxies: [balancer.example.lan]\n", Map.of()))
                .hasMessageContaining("listen.trustedProxies: 'balancer.example.lan' is not an IP address or address range")
                .hasMessageContaining("host names are not taken");
        assertThatThrownBy(() -> load("listen:\n  trustedProxies: 10.0.0.0/8\n", Map.of()))
                .hasMessageContaining("listen.trustedProxies must be a list");
        assertThatThrownBy(() -> load("listen:\n  trustedProxy: [10.0.0.0/8]\n", Map.of()))
                .hasMessageContaining("'listen.trustedProxy' is not a setting this version knows");
    }
}
