package dev.cachalot.app.clientsetup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.rules.CacheRule;
import dev.cachalot.rules.FreshnessPolicy;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientSnippetsTest {
    private static CacheRule rule(String name, String source, String target) {
        return new CacheRule(name, source, target, null, FreshnessPolicy.REVALIDATE, Instant.EPOCH, CacheRule.ProvisioningState.Succeeded);
    }

    private final ClientSnippets snippets = new ClientSnippets("127.0.0.1:5001", List.of(
            rule("hello-world", "docker.io/library/hello-world", "hello-world"),
            rule("k8s-all", "registry.k8s.io/*", "k8s/*"),
            rule("library-all", "docker.io/library/*", "library/*")));

    @Test
    void dockerDaemonJsonNamesTheEngineAsMirrorAndInsecureRegistry() {
        assertThat(snippets.dockerDaemonJson())
                .contains("\"registry-mirrors\": [\"http://127.0.0.1:5001\"]")
                .contains("\"insecure-registries\": [\"127.0.0.1:5001\"]");
    }

    @Test
    void containerdGetsOneHostsTomlPerUpstreamPointingAtTheEngine() {
        assertThat(snippets.containerdHostsToml()).containsOnlyKeys(
                "/etc/containerd/certs.d/docker.io/hosts.toml", "/etc/containerd/certs.d/registry.k8s.io/hosts.toml");
        assertThat(snippets.containerdHostsToml().get("/etc/containerd/certs.d/docker.io/hosts.toml"))
                .contains("server = \"https://registry-1.docker.io\"")
                .contains("[host.\"http://127.0.0.1:5001\"]")
                .contains("capabilities = [\"pull\", \"resolve\"]");
    }

    @Test
    void podmanMirrorsEachRuleSourceOntoItsTargetPath() {
        String conf = snippets.podmanRegistriesConf();
        assertThat(conf)
                .containsOnlyOnce("prefix = \"docker.io/library/hello-world\"")
                .containsOnlyOnce("prefix = \"registry.k8s.io\"")
                .containsOnlyOnce("prefix = \"docker.io/library\"\n")
                .contains("[[registry.mirror]]\nlocation = \"127.0.0.1:5001/hello-world\"\ninsecure = true")
                .contains("[[registry.mirror]]\nlocation = \"127.0.0.1:5001/k8s\"\ninsecure = true")
                .contains("[[registry.mirror]]\nlocation = \"127.0.0.1:5001/library\"\ninsecure = true");
    }

    @Test
    void podmanNamesASourceOnceEvenWhenTwoRulesShareIt() {
        ClientSnippets twice = new ClientSnippets("127.0.0.1:5001", List.of(
                rule("nginx-one", "docker.io/library/nginx", "nginx"), rule("nginx-two", "docker.io/library/nginx", "web/nginx")));

        assertThat(twice.podmanRegistriesConf()).containsOnlyOnce("prefix = \"docker.io/library/nginx\"")
                .contains("location = \"127.0.0.1:5001/nginx\"");
    }

    @Test
    void containerdSaysConfigPathMustNameTheCertsDFolder() {
        assertThat(snippets.containerdHostsToml().values())
                .allSatisfy(toml -> assertThat(toml).contains("config_path = \"/etc/containerd/certs.d\""));
    }

    @Test
    void plainPullsUseTheLocalTargetsWithAPlaceholderUnderWildcards() {
        assertThat(snippets.plainPulls())
                .contains("docker pull 127.0.0.1:5001/hello-world:latest")
                .contains("docker pull 127.0.0.1:5001/k8s/<name>:latest")
                .contains("docker pull 127.0.0.1:5001/library/<name>:latest");
    }

    @Test
    void fallsBackToTheDefaultAddressWhenTheEngineHasNone() {
        assertThat(new ClientSnippets("", List.of()).dockerDaemonJson()).contains("http://127.0.0.1:5000");
    }

    @Test
    void containerdFallsBackToACustomUpstreamsOwnEndpointNotHttpsOfItsLoginServer() {
        ClientSnippets custom = new ClientSnippets("127.0.0.1:5001", List.of(rule("team-all", "registry.lan:8080/team/*", "team/*")),
                java.util.Map.of("registry.lan:8080", "http://registry.lan:8080"));

        assertThat(custom.containerdHostsToml().get("/etc/containerd/certs.d/registry.lan:8080/hosts.toml"))
                .contains("\nserver = \"http://registry.lan:8080\"\n");
    }

    @Test
    void overTlsEachClientTrustsTheEnginesCaAndNoneSkipsVerification() {
        ClientSnippets tls = snippets.with(new ClientAccess(true, false));

        assertThat(tls.dockerDaemonJson()).contains("\"registry-mirrors\": [\"https://127.0.0.1:5001\"]").doesNotContain("insecure");
        assertThat(tls.containerdHostsToml().values()).allSatisfy(toml -> assertThat(toml)
                .contains("[host.\"https://127.0.0.1:5001\"]")
                .contains("ca = \"/etc/containerd/certs.d/127.0.0.1:5001/ca.crt\"")
                .doesNotContain("skip_verify"));
        assertThat(tls.podmanRegistriesConf()).doesNotContain("insecure = true");
        assertThat(tls.trustAndLogin())
                .contains("/etc/docker/certs.d/127.0.0.1:5001/ca.crt")
                .contains("/etc/containerd/certs.d/127.0.0.1:5001/ca.crt")
                .contains("/etc/containers/certs.d/127.0.0.1:5001/ca.crt")
                .doesNotContain("login");
    }

    @Test
    void aLoginLineAppearsOnlyWhenTheEngineAsksForOne() {
        assertThat(snippets.trustAndLogin()).as("plain HTTP on loopback, anonymous: nothing to do first").isEmpty();

        String login = snippets.with(new ClientAccess(false, true)).trustAndLogin();
        assertThat(login).contains("docker login 127.0.0.1:5001\n").contains("podman login 127.0.0.1:5001")
                .contains("--src-creds").contains("registry.configs.\"127.0.0.1:5001\".auth").doesNotContain("ca.crt");
        assertThat(snippets.with(new ClientAccess(true, true)).trustAndLogin()).contains("ca.crt").contains("docker login");
    }
}
