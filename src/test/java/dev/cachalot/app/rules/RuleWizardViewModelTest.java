package dev.cachalot.app.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.app.SharedRegistries;
import dev.cachalot.app.TestEngine;
import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.Async;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.RuleDraft;
import dev.cachalot.rules.CacheRule;
import dev.cachalot.rules.Upstream;
import dev.cachalot.testing.DockerRegistryFixture;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rule wizard's model on the real engine: its live checks are the engine's own. A new credential set is made
 * against Debian's docker-registry with htpasswd on loopback, since the engine checks every new login upstream.
 */
class RuleWizardViewModelTest {
    private static final String USER = SharedRegistries.USER;
    private static final String SECRET = SharedRegistries.PASSWORD;
    private static DockerRegistryFixture registry;

    @TempDir
    Path data;
    private Engine engine;

    @BeforeAll
    static void startRegistry() {
        registry = SharedRegistries.withLogin();
    }


    @AfterEach
    void close() {
        if (engine != null) engine.close();
    }

    private RuleWizardViewModel wizard() {
        engine = TestEngine.open(data);
        engine.addUpstream(registry.hostPort(), registry.url(), null);
        RuleWizardViewModel vm = new RuleWizardViewModel(new AppContext(engine, Async.direct(), data.toString()));
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
        TestEngine.addUncheckedCredentialSet(data, "hub-creds", "docker.io", "alice", "hub-token");
        RuleWizardViewModel vm = wizard();
        engine.createRule(new RuleDraft("library-all", "docker.io/library/*", "library/*", "hub-creds", null));
        vm.pathProperty().set("library/dotnet");
        vm.wildcardProperty().set(true);
        assertThat(vm.targetProperty().get()).isEqualTo("library/dotnet/*");
        assertThat(vm.targetErrorProperty().get()).contains("inside").contains("library-all");
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
    void offersANewCredentialSetForDockerHubWhenNoneExists() {
        RuleWizardViewModel vm = wizard();
        vm.pathProperty().set("nginx");
        assertThat(vm.authChoiceProperty().get()).isEqualTo(RuleWizardViewModel.AuthChoice.NEW);
    }

    @Test
    void createsTheRuleWithANewCredentialSetInPlace() {
        RuleWizardViewModel vm = wizard();
        vm.upstreamProperty().set(upstream(vm, registry.hostPort()));
        vm.pathProperty().set("team/app");
        vm.authChoiceProperty().set(RuleWizardViewModel.AuthChoice.NEW);
        vm.newCredentialNameProperty().set("team-creds");
        vm.newUsernameProperty().set(USER);
        vm.newPasswordProperty().set(SECRET);
        assertThat(vm.targetErrorProperty().get() + vm.nameErrorProperty().get() + vm.pathErrorProperty().get()).isEmpty();
        assertThat(vm.targetStepValid().get()).isTrue();
        assertThat(vm.authStepValid().get()).isTrue();

        AtomicReference<CacheRule> created = new AtomicReference<>();
        AtomicReference<String> failed = new AtomicReference<>();
        vm.finish(created::set, failed::set);

        assertThat(failed.get()).isNull();
        assertThat(created.get().sourceRepository()).isEqualTo(registry.hostPort() + "/team/app");
        assertThat(created.get().targetRepository()).isEqualTo("team/app");
        assertThat(created.get().credentialSet()).isEqualTo("team-creds");
        assertThat(TestEngine.vaultSecret(data, "vault:team-creds-password")).isEqualTo(SECRET);
        assertThat(engine.credentialSets()).singleElement().satisfies(c -> assertThat(c.health()).isEqualTo("Healthy"));
        assertThat(vm.newPasswordProperty().get()).isEmpty();
    }

    @Test
    void aNewCredentialSetWithAWrongPasswordIsNeitherSavedNorUsed() {
        RuleWizardViewModel vm = wizard();
        vm.upstreamProperty().set(upstream(vm, registry.hostPort()));
        vm.pathProperty().set("team/app");
        vm.authChoiceProperty().set(RuleWizardViewModel.AuthChoice.NEW);
        vm.newCredentialNameProperty().set("team-creds");
        vm.newUsernameProperty().set(USER);
        vm.newPasswordProperty().set("Not-The-Password-7");

        AtomicReference<CacheRule> created = new AtomicReference<>();
        AtomicReference<String> failed = new AtomicReference<>();
        vm.finish(created::set, failed::set);

        assertThat(created.get()).isNull();
        assertThat(failed.get()).startsWith("Sign-in failed, so nothing was saved: ").doesNotContain("Not-The-Password-7");
        assertThat(engine.credentialSets()).isEmpty();
        assertThat(engine.rules()).isEmpty();
    }

    @Test
    void aPastedFullSourcePicksItsRegistryAndAWildcardTicksTheBox() {
        RuleWizardViewModel vm = wizard();
        assertThat(vm.loginServerProperty().get()).isEqualTo("docker.io");

        vm.pathProperty().set("ghcr.io/acme/*");

        assertThat(vm.loginServerProperty().get()).isEqualTo("ghcr.io");
        assertThat(vm.wildcardProperty().get()).isTrue();
        assertThat(vm.pathProperty().get()).isEqualTo("acme");
        assertThat(vm.previewProperty().get()).isEqualTo("ghcr.io/acme/*");
        assertThat(vm.targetProperty().get()).isEqualTo("acme/*");
        assertThat(vm.draft().sourceRepository()).isEqualTo("ghcr.io/acme/*");
    }
}
