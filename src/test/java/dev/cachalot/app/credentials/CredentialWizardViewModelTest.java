package dev.cachalot.app.credentials;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.app.SharedRegistries;
import dev.cachalot.app.TestEngine;
import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.Async;
import dev.cachalot.engine.CredentialSetView;
import dev.cachalot.engine.Engine;
import dev.cachalot.rules.Upstream;
import dev.cachalot.testing.DockerRegistryFixture;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The credential wizard's model on the real engine and vault. Sets are created against Debian's docker-registry with
 * htpasswd on loopback (the engine checks every new login against its upstream, and Docker Hub is off limits here).
 */
class CredentialWizardViewModelTest {
    private static final String USER = SharedRegistries.USER;
    private static final String SECRET = SharedRegistries.PASSWORD;
    private static DockerRegistryFixture registry;

    @TempDir
    Path data;
    private Engine engine;
    private CredentialWizardViewModel vm;

    @BeforeAll
    static void startRegistry() {
        registry = SharedRegistries.withLogin();
    }


    @BeforeEach
    void open() {
        TestEngine.addUncheckedCredentialSet(data, "docker-io-creds", "docker.io", "alice", "hub-token");
        engine = TestEngine.open(data);
        engine.addUpstream(registry.hostPort(), registry.url(), null);
        vm = new CredentialWizardViewModel(new AppContext(engine, Async.direct(), data.toString()));
    }

    @AfterEach
    void close() {
        engine.close();
    }

    @Test
    void offersOnlyUpstreamsThatTakeCredentialsAndFillsTheLoginServer() {
        vm.load();
        assertThat(vm.upstreams()).extracting(Upstream::loginServer).doesNotContain("mcr.microsoft.com", "public.ecr.aws");
        assertThat(vm.loginServerProperty().get()).isEqualTo("docker.io");
        assertThat(vm.nameProperty().get()).isEqualTo("docker-io-creds");
        vm.upstreamProperty().set(vm.upstreams().stream().filter(u -> u.loginServer().equals("ghcr.io")).findFirst().orElseThrow());
        assertThat(vm.nameProperty().get()).isEqualTo("ghcr-io-creds");
    }

    @Test
    void keepsFinishOffUntilUsernameAndPasswordAreGiven() {
        vm.load();
        assertThat(vm.secondStepValid().get()).isFalse();
        vm.usernameProperty().set("alice");
        assertThat(vm.signInErrorProperty().get()).contains("password");
        vm.passwordProperty().set("pw");
        assertThat(vm.secondStepValid().get()).isTrue();
    }

    @Test
    void storesTheSecretInTheVaultAndForgetsIt() {
        vm.load();
        vm.upstreamProperty().set(vm.upstreams().stream().filter(u -> u.loginServer().equals(registry.hostPort())).findFirst().orElseThrow());
        vm.nameProperty().set("team-registry");
        vm.usernameProperty().set(USER);
        vm.passwordProperty().set(SECRET);
        AtomicReference<CredentialSetView> created = new AtomicReference<>();
        vm.finish(created::set, problem -> { throw new AssertionError(problem); });
        assertThat(created.get().passwordSecret()).isEqualTo("vault:team-registry-password");
        assertThat(created.get().health()).as("the registry took the stored login").isEqualTo("Healthy");
        assertThat(created.get().toString()).doesNotContain(SECRET);
        assertThat(TestEngine.vaultSecret(data, "vault:team-registry-password")).isEqualTo(SECRET);
        assertThat(vm.passwordProperty().get()).isEmpty();
    }

    @Test
    void aRefusedLoginIsNotSavedUntilTheUserSavesAnyway() {
        vm.load();
        vm.upstreamProperty().set(vm.upstreams().stream().filter(u -> u.loginServer().equals(registry.hostPort())).findFirst().orElseThrow());
        vm.nameProperty().set("team-wrong");
        vm.usernameProperty().set(USER);
        vm.passwordProperty().set("Not-The-Password-7");
        AtomicReference<String> failed = new AtomicReference<>();
        AtomicReference<CredentialSetView> created = new AtomicReference<>();
        vm.finish(created::set, failed::set);
        assertThat(created.get()).isNull();
        assertThat(failed.get()).contains("Save anyway");
        assertThat(vm.loginRefusedProperty().get()).isTrue();
        assertThat(vm.loginResultProperty().get()).startsWith("Sign-in failed: ");
        assertThat(engine.credentialSets()).noneMatch(c -> c.name().equals("team-wrong"));

        vm.saveAnywayProperty().set(true);
        vm.finish(created::set, failed::set);
        assertThat(created.get().health()).isEqualTo("Unhealthy");
    }

    @Test
    void refusesATakenNameBeforeTryingTheLogin() {
        vm.load();
        vm.usernameProperty().set("alice");
        vm.passwordProperty().set("pw");
        AtomicReference<String> failed = new AtomicReference<>();
        vm.finish(v -> { }, failed::set);
        assertThat(failed.get()).contains("docker-io-creds").contains("already exists");
        assertThat(vm.loginResultProperty().get()).as("Docker Hub was not asked").isEmpty();
    }
}
