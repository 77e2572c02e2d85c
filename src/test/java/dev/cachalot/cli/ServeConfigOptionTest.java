package dev.cachalot.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve --config FILE}: a configuration it cannot apply stops it before it opens anything, saying why. */
class ServeConfigOptionTest {

    @TempDir
    Path temp;

    @Test
    void anS3ConfigurationWithoutItsKeyInTheEnvironmentStopsServeAndNamesTheVariable() throws Exception {
        // The test JVM's environment has no CACHALOT_S3_* variables.
        Path config = Files.writeString(temp.resolve("cachalot.yaml"),
                "storage:\n  type: s3\n  s3:\n    endpoint: http://127.0.0.1:9\n    bucket: cache\n");

        Cli.Run run = new Cli(temp.resolve("data")).run("serve", "--listen", "127.0.0.1:0", "--config", config.toString());

        assertThat(run.exit()).isNotZero();
        assertThat(run.err()).contains("cachalot.yaml").contains("CACHALOT_S3_ACCESS_KEY_ID");
        assertThat(temp.resolve("data")).as("nothing opened").doesNotExist();
    }

    @Test
    void aSettingThisVersionDoesNotKnowStopsServeAndIsNamed() throws Exception {
        Path config = Files.writeString(temp.resolve("cachalot.yaml"), "storage:\n  type: files\n  folder: /srv\n");

        Cli.Run run = new Cli(temp.resolve("data")).run("serve", "--config", config.toString());

        assertThat(run.exit()).isNotZero();
        assertThat(run.err()).contains("'storage.folder' is not a setting this version knows");
    }

    @Test
    void theFilesTlsSettingsApplyAndTheCommandLineWinsOverThem() throws Exception {
        Path fileCert = temp.resolve("from-file/server.crt");
        Path config = Files.writeString(temp.resolve("cachalot.yaml"),
                "listen: 127.0.0.1:0\ntls:\n  cert: from-file/server.crt\n  key: from-file/server.key\n");

        // Were the file's TLS settings ignored, serve would start and run until stopped: bounded, so that fails too.
        Cli.Run fromFile = assertTimeoutPreemptively(Duration.ofMinutes(1),
                () -> Cli.runRaw("--data", temp.resolve("data-1").toString(), "serve", "--config", config.toString()));
        assertThat(fromFile.failedWithOneLine()).as("the file's certificate, relative to the file")
                .contains("the certificate file " + fileCert + " does not exist");

        Path flagCert = temp.resolve("from-flag/server.crt");
        Cli.Run fromFlags = assertTimeoutPreemptively(Duration.ofMinutes(1), () -> Cli.runRaw("--data",
                temp.resolve("data-2").toString(), "serve", "--config", config.toString(),
                "--tls-cert", flagCert.toString(), "--tls-key", temp.resolve("from-flag/server.key").toString()));
        assertThat(fromFlags.failedWithOneLine()).contains("the certificate file " + flagCert + " does not exist");
    }

    @Test
    void aTokenKeyFileEveryUserMayReadStopsServeWithOneLineThatQuotesNoKey() throws Exception {
        String key = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=";
        Path keyFile = Files.writeString(temp.resolve("token.key"), key + "\n");
        Files.setPosixFilePermissions(keyFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Path config = Files.writeString(temp.resolve("cachalot.yaml"),
                "listen: 127.0.0.1:0\nauth:\n  mode: required\n  tokenKeyFile: token.key\n");

        // Were the key file ignored, serve would start and run until stopped: bounded, so that fails too.
        Cli.Run run = assertTimeoutPreemptively(Duration.ofMinutes(1),
                () -> Cli.runRaw("--data", temp.resolve("data").toString(), "serve", "--config", config.toString()));
        assertThat(run.failedWithOneLine()).contains("the token key file " + keyFile + " may be opened by every user")
                .doesNotContain(key);
        assertThat(run.out() + run.err()).doesNotContain(key);
    }
}
