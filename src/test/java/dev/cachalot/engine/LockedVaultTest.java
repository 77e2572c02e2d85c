package dev.cachalot.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.cli.CachalotCommand;
import dev.cachalot.credentials.Keyring;
import dev.cachalot.credentials.PassphrasePrompt;
import dev.cachalot.credentials.VaultOptions;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.testing.LoopbackHttpServer;
import dev.cachalot.testing.RegistryReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real engine on a data folder whose vault needs a passphrase, started without it: a pull through a rule with a
 * credential set must name the locked vault, not pass on the upstream's refusal of an anonymous request, and
 * {@code cachalot credentials list} must show the set as locked. The upstream is a loopback server that wants Basic.
 */
class LockedVaultTest {

    private static final String PASSPHRASE = "correct horse battery staple";
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

    @TempDir
    Path dir;

    private final LoopbackHttpServer upstream = new LoopbackHttpServer();
    private Engine engine;

    @AfterEach
    void stop() {
        if (engine != null) engine.close();
        upstream.close();
    }

    @Test
    void aPullWithALockedVaultNamesTheVaultAndCredentialsListShowsIt() {
        upstream.route("/v2/team/app/manifests/1", exchange -> {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"test\"");
            LoopbackHttpServer.send(exchange, 401, "application/json", "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}");
        });
        DataFolder folder = new DataFolder(dir.resolve("data"));
        String hostPort = "127.0.0.1:" + upstream.port();
        Map<String, String> withPassphrase = Map.of(VaultOptions.PASSPHRASE_ENV, PASSPHRASE);
        try (Engine first = Engine.open(folder, vault(withPassphrase))) {
            first.addUpstream(hostPort, upstream.base(), null);
            first.createCredentialSet("team-login", hostPort, "alice", "s3cret-pass".toCharArray());
            first.createRule(new RuleDraft("team-rule", hostPort + "/team/app", "team/app", "team-login", null));
        }

        engine = Engine.open(folder, vault(Map.of()));
        engine.startServer("127.0.0.1:0");
        RegistryReader.Fetched answer = new RegistryReader("http://127.0.0.1:" + engine.port())
                .manifest("team/app", "1", OCI_MANIFEST);

        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.text()).contains("the credential set 'team-login' cannot be read: the vault is locked")
                .contains(VaultOptions.PASSPHRASE_ENV)
                .doesNotContain("refused");
        assertThat(engine.credentialSet("team-login").orElseThrow().errorCode()).isEqualTo("VaultLocked");
        engine.close();
        engine = null;

        StringWriter out = new StringWriter();
        PrintWriter pw = new PrintWriter(out, true);
        int exit = CachalotCommand.commandLine(pw, pw).execute("--data", folder.root().toString(), "credentials", "list");

        assertThat(exit).isZero();
        assertThat(out.toString()).containsPattern("team-login.*Unhealthy.*VaultLocked");
    }

    private static VaultOptions vault(Map<String, String> env) {
        return new VaultOptions(env::get, Keyring.NONE, PassphrasePrompt.NONE, VaultOptions.MIN_ITERATIONS);
    }
}
