package dev.cachalot.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachalot.storage.S3Settings;
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
        assertThatThrownBy(() -> load("database:\n  type: postgresql\n", KEY))
                .hasMessageContaining("'database' is not a setting this version knows");
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
}
