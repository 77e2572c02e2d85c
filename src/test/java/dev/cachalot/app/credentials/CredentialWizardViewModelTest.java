package dev.cachalot.app.credentials;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.app.FakeEngine;
import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.Async;
import dev.cachalot.engine.CredentialSetView;
import dev.cachalot.rules.Upstream;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class CredentialWizardViewModelTest {
    private final FakeEngine engine = new FakeEngine();
    private final CredentialWizardViewModel vm = new CredentialWizardViewModel(new AppContext(engine, Async.direct(), ""));

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
        vm.usernameProperty().set("alice");
        vm.passwordProperty().set("token-123");
        AtomicReference<CredentialSetView> created = new AtomicReference<>();
        vm.finish(created::set, problem -> { throw new AssertionError(problem); });
        assertThat(created.get().passwordSecret()).isEqualTo("vault:docker-io-creds-password");
        assertThat(created.get().toString()).doesNotContain("token-123");
        assertThat(engine.vaultSecret("vault:docker-io-creds-password")).isEqualTo("token-123");
        assertThat(vm.passwordProperty().get()).isEmpty();
    }

    @Test
    void showsTheEnginesReasonWhenTheNameIsTaken() {
        engine.withCredentialSet("docker-io-creds", "docker.io");
        vm.load();
        vm.usernameProperty().set("alice");
        vm.passwordProperty().set("pw");
        AtomicReference<String> failed = new AtomicReference<>();
        vm.finish(v -> { }, failed::set);
        assertThat(failed.get()).isEqualTo("A credential set named 'docker-io-creds' already exists");
    }
}
