package dev.cachalot.app.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.app.FakeEngine;
import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.Async;
import dev.cachalot.rules.CacheRule;
import dev.cachalot.rules.Upstream;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class RuleWizardViewModelTest {

    private final FakeEngine engine = new FakeEngine();

    private RuleWizardViewModel wizard() {
        RuleWizardViewModel vm = new RuleWizardViewModel(new AppContext(engine, Async.direct(), "/tmp/data"));
        vm.load();
        return vm;
    }

    private static Upstream upstream(RuleWizardViewModel vm, String loginServer) {
        return vm.upstreams().stream().filter(u -> u.loginServer().equals(loginServer)).findFirst().orElseThrow();
    }

    @Test
    void picksDockerHubAndFillsItsLoginServer() {
        RuleWizardViewModel vm = wizard();
        assertThat(vm.loginServerProperty().get()).isEqualTo("docker.io");
        vm.upstreamProperty().set(upstream(vm, "ghcr.io"));
        assertThat(vm.loginServerProperty().get()).isEqualTo("ghcr.io");
    }

    @Test
    void insertsLibraryForASingleComponentDockerHubPath() {
        RuleWizardViewModel vm = wizard();
        vm.pathProperty().set("nginx");
        assertThat(vm.previewProperty().get()).isEqualTo("docker.io/library/nginx");
        vm.pathProperty().set("bitnami/redis");
        assertThat(vm.previewProperty().get()).isEqualTo("docker.io/bitnami/redis");
    }

    @Test
    void doesNotInsertLibraryOnOtherRegistries() {
        RuleWizardViewModel vm = wizard();
        vm.upstreamProperty().set(upstream(vm, "quay.io"));
        vm.pathProperty().set("nginx");
        assertThat(vm.previewProperty().get()).isEqualTo("quay.io/nginx");
    }

    @Test
    void wildcardSwitchMakesSourceAndSuggestedTargetWildcards() {
        RuleWizardViewModel vm = wizard();
        vm.pathProperty().set("bitnami");
        vm.wildcardProperty().set(true);
        assertThat(vm.previewProperty().get()).isEqualTo("docker.io/bitnami/*");
        assertThat(vm.targetProperty().get()).isEqualTo("bitnami/*");
        assertThat(vm.nameProperty().get()).isEqualTo("bitnami-all");
    }

    @Test
    void suggestsTargetAndNameUntilTheUserEditsThem() {
        RuleWizardViewModel vm = wizard();
        vm.pathProperty().set("node");
        assertThat(vm.targetProperty().get()).isEqualTo("node");
        assertThat(vm.nameProperty().get()).isEqualTo("node-cache");
        vm.targetProperty().set("web/nginx");
        vm.pathProperty().set("nginx2");
        assertThat(vm.targetProperty().get()).isEqualTo("web/nginx");
        assertThat(vm.nameProperty().get()).isEqualTo("web-nginx");
    }

    @Test
    void refusesATagInThePathWithAReason() {
        RuleWizardViewModel vm = wizard();
        vm.pathProperty().set("nginx:1.27");
        assertThat(vm.pathErrorProperty().get()).contains("tag");
        assertThat(vm.targetStepValid().get()).isFalse();
    }

    @Test
    void blocksAWildcardTargetInsideAnotherWildcardWithTheEnginesReason() {
        engine.withCredentialSet("hub-creds", "docker.io").withRule("library-all", "docker.io/library/*", "library/*", "hub-creds");
        RuleWizardViewModel vm = wizard();
        vm.pathProperty().set("library/dotnet");
        vm.wildcardProperty().set(true);
        assertThat(vm.targetProperty().get()).isEqualTo("library/dotnet/*");
        assertThat(vm.targetErrorProperty().get()).contains("overlaps").contains("library-all");
        assertThat(vm.targetStepValid().get()).isFalse();

        vm.targetProperty().set("dotnet/*");
        assertThat(vm.targetErrorProperty().get()).isEmpty();
        assertThat(vm.targetStepValid().get()).isTrue();
    }

    @Test
    void requiresCredentialsForDockerHubAndSkipsAuthForAnonymousOnlyUpstreams() {
        RuleWizardViewModel vm = wizard();
        vm.pathProperty().set("nginx");
        assertThat(vm.authStepSkipped().get()).isFalse();
        vm.authChoiceProperty().set(RuleWizardViewModel.AuthChoice.ANONYMOUS);
        assertThat(vm.authStepValid().get()).isFalse();
        assertThat(vm.authErrorProperty().get()).contains("needs a credential set");

        vm.upstreamProperty().set(upstream(vm, "mcr.microsoft.com"));
        assertThat(vm.authStepSkipped().get()).isTrue();
        assertThat(vm.authChoiceProperty().get()).isEqualTo(RuleWizardViewModel.AuthChoice.ANONYMOUS);
        assertThat(vm.authStepValid().get()).isTrue();
    }

    @Test
    void createsTheRuleWithANewCredentialSetInPlace() {
        RuleWizardViewModel vm = wizard();
        vm.pathProperty().set("nginx");
        assertThat(vm.authChoiceProperty().get()).isEqualTo(RuleWizardViewModel.AuthChoice.NEW);
        vm.newCredentialNameProperty().set("hub-creds");
        vm.newUsernameProperty().set("alice");
        vm.newPasswordProperty().set("s3cret-token");
        assertThat(vm.targetErrorProperty().get() + vm.nameErrorProperty().get() + vm.pathErrorProperty().get()).isEmpty();
        assertThat(vm.targetStepValid().get()).isTrue();
        assertThat(vm.authStepValid().get()).isTrue();

        AtomicReference<CacheRule> created = new AtomicReference<>();
        AtomicReference<String> failed = new AtomicReference<>();
        vm.finish(created::set, failed::set);

        assertThat(failed.get()).isNull();
        assertThat(created.get().sourceRepository()).isEqualTo("docker.io/library/nginx");
        assertThat(created.get().targetRepository()).isEqualTo("nginx");
        assertThat(created.get().credentialSet()).isEqualTo("hub-creds");
        assertThat(engine.vaultSecret("vault:hub-creds-password")).isEqualTo("s3cret-token");
        assertThat(vm.newPasswordProperty().get()).isEmpty();
    }
}
