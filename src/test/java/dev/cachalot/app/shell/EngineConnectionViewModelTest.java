package dev.cachalot.app.shell;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.api.ManagementAccess;
import dev.cachalot.api.ManagementApi;
import dev.cachalot.app.TestEngine;
import dev.cachalot.app.common.AppPreferences;
import dev.cachalot.app.common.Async;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.EngineStatus;
import dev.cachalot.security.LocalCertificateAuthority;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.prefs.Preferences;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connecting to an https engine with a private CA, without a window: a real engine serving its management API over
 * TLS on loopback with a certificate of {@link LocalCertificateAuthority} (what {@code cachalot tls init} writes).
 */
class EngineConnectionViewModelTest {
    @TempDir
    Path temp;
    private Engine engine;
    private LocalCertificateAuthority.Issued tls;
    private String address;
    private Preferences node;
    private EngineConnectionViewModel vm;

    @BeforeEach
    void startAnHttpsEngine() throws Exception {
        tls = LocalCertificateAuthority.issue(List.of("127.0.0.1"), temp.resolve("tls"));
        engine = TestEngine.open(temp.resolve("engine"));
        engine.serveManagementApi(new ManagementApi(engine, ManagementAccess.loopbackOnly()));
        engine.startServer("127.0.0.1:0", tls.serverCertificate(), tls.serverKey());
        address = "https://" + engine.status().address();
        node = Preferences.userRoot().node("/dev/cachalot/test/connect-" + System.nanoTime());
        vm = new EngineConnectionViewModel(Async.direct(), new RecentEngines(new AppPreferences(node)));
    }

    @AfterEach
    void stop() throws Exception {
        engine.close();
        node.removeNode();
    }

    @Test
    void thePrivateCaIsTrustedOnlyOnceItsFingerprintIsConfirmedAndThenTheEngineAnswers() throws Exception {
        vm.addressProperty().set(address);
        vm.caFileProperty().set(tls.caCertificate().toString());
        assertThat(vm.caFingerprintProperty().get()).endsWith("SHA-256 " + keytoolSha256(tls.caCertificate()));
        assertThat(vm.canConnectProperty().get()).as("the fingerprint is not confirmed yet").isFalse();

        vm.caTrustedProperty().set(true);
        assertThat(vm.canConnectProperty().get()).isTrue();
        vm.caFileProperty().set(tls.serverCertificate().toString());
        assertThat(vm.caTrustedProperty().get()).as("another file asks again").isFalse();
        vm.caFileProperty().set(tls.caCertificate().toString());
        vm.caTrustedProperty().set(true);

        AtomicReference<RemoteConnection> connected = new AtomicReference<>();
        vm.tokenProperty().set("typed-token-never-stored");
        vm.connect(connected::set);
        assertThat(vm.errorProperty().get()).isEmpty();
        assertThat(connected.get().address().toString()).isEqualTo(address);
        assertThat(connected.get().context().engine().status().state()).isEqualTo(EngineStatus.State.RUNNING);
        connected.get().context().shutDownEngine();

        assertThat(new RecentEngines(new AppPreferences(node)).list())
                .containsExactly(new RecentEngines.RecentEngine(address, tls.caCertificate().toString()));
        for (String key : node.keys()) assertThat(node.get(key, "")).doesNotContain("typed-token-never-stored");
        assertThat(vm.tokenProperty().get()).as("the token is dropped once used").isEmpty();
    }

    @Test
    void withoutTheCaTheEngineIsRefusedAndTheDialogSaysWhy() {
        vm.addressProperty().set(address);
        AtomicReference<RemoteConnection> connected = new AtomicReference<>();
        vm.connect(connected::set);
        assertThat(connected.get()).isNull();
        assertThat(vm.errorProperty().get()).startsWith("Cannot connect to " + address + ": ");
        assertThat(vm.connectingProperty().get()).isFalse();
    }

    @Test
    void aUserLoginOnAnEngineWithoutUsersSaysSo() {
        vm.addressProperty().set(address);
        vm.caFileProperty().set(tls.caCertificate().toString());
        vm.caTrustedProperty().set(true);
        vm.userProperty().set("alice");
        vm.tokenProperty().set("alice-password");
        AtomicReference<RemoteConnection> connected = new AtomicReference<>();
        vm.connect(connected::set);
        assertThat(connected.get()).isNull();
        assertThat(vm.errorProperty().get()).isEqualTo("Cannot connect to " + address + ": The engine at " + address
                + " has authentication off: give a token, or no login at all");
    }

    @Test
    void aRecentEngineBringsBackItsCaFileButAsksForTheFingerprintAgain() {
        new RecentEngines(new AppPreferences(node)).remember(java.net.URI.create(address), tls.caCertificate());
        vm = new EngineConnectionViewModel(Async.direct(), new RecentEngines(new AppPreferences(node)));
        assertThat(vm.recentAddresses()).containsExactly(address);
        vm.addressProperty().set(address);
        assertThat(vm.caFileProperty().get()).isEqualTo(tls.caCertificate().toString());
        assertThat(vm.caTrustedProperty().get()).isFalse();
        assertThat(vm.canConnectProperty().get()).isFalse();
    }

    /** The fingerprint as the JDK's keytool prints it: an independent computation. */
    private static String keytoolSha256(Path certificate) throws Exception {
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-printcert", "-file", certificate.toString()).redirectErrorStream(true).start();
        String out = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        keytool.waitFor();
        return out.lines().map(String::strip).filter(l -> l.startsWith("SHA256:")).map(l -> l.substring("SHA256:".length()).strip())
                .findFirst().orElseThrow(() -> new AssertionError("keytool printed no SHA256 line:\n" + out));
    }
}
