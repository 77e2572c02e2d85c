package dev.cachalot.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cachalot.testing.Ports;
import dev.cachalot.testing.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --engine https://...}: the engine's certificate is verified (system CAs, plus {@code CACHALOT_ENGINE_CA}, here
 * its system property twin), and a certificate nobody vouched for is one clear line, not a stack trace.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RemoteTlsEngineTest {
    private static final Duration START_LIMIT = Duration.ofSeconds(90);

    @TempDir
    static Path temp;

    private Process serve;
    private String url;
    private Path ca;

    @BeforeAll
    void startAnHttpsEngine() throws Exception {
        Path tls = temp.resolve("tls");
        Cli.runRaw("tls", "init", "--host", "127.0.0.1", "--out", tls.toString()).succeeded();
        ca = tls.resolve("ca.crt");
        int port = Ports.free();
        url = "https://127.0.0.1:" + port;
        Path out = temp.resolve("serve.out");
        serve = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), "dev.cachalot.Main", "--data", temp.resolve("data").toString(),
                "serve", "--listen", "127.0.0.1:" + port, "--tls-cert", tls.resolve("server.crt").toString(),
                "--tls-key", tls.resolve("server.key").toString())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        await("serve on https").atMost(START_LIMIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (!serve.isAlive()) throw new AssertionError("serve exited with " + serve.exitValue() + ":\n" + Files.readString(out));
            return Files.readString(out).contains("Cachalot serving on " + url);
        });
    }

    @AfterAll
    void stop() {
        if (serve != null) Processes.stop(serve, Duration.ofSeconds(30));
    }

    @AfterEach
    void forgetTheCa() {
        System.clearProperty("cachalot.engine.ca");
    }

    @Test
    void theCliManagesAnHttpsEngineWhoseCaItWasGiven() {
        System.setProperty("cachalot.engine.ca", ca.toString());
        Cli.runRaw("--engine", url, "upstream", "add", "--login-server", "registry.example:5000",
                "--endpoint", "https://registry.example:5000").succeeded();
        assertThat(Cli.runRaw("--engine", url, "upstream", "list").succeeded().out()).contains("registry.example:5000");
    }

    @Test
    void anEngineCertificateFromAnUnknownCaIsOneClearLine() {
        String line = Cli.runRaw("--engine", url, "rules", "list").failedWithOneLine();
        assertThat(line).startsWith("cachalot: cannot reach the engine at " + url + ": TLS failed: ")
                .endsWith("(to trust a CA of your own, set CACHALOT_ENGINE_CA to its PEM file)");
    }
}
