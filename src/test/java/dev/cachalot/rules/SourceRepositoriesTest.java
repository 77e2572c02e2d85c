package dev.cachalot.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SourceRepositoriesTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "nginx, docker.io/library/nginx",
            "docker.io/nginx, docker.io/library/nginx",
            "docker.io/library/nginx, docker.io/library/nginx",
            "registry-1.docker.io/library/nginx, docker.io/library/nginx",
            "registry-1.docker.io/nginx, docker.io/library/nginx",
            "index.docker.io/bitnami/redis, docker.io/bitnami/redis",
            "bitnami/redis, docker.io/bitnami/redis",
            "library/*, docker.io/library/*",
            "docker.io/library/*, docker.io/library/*",
            "docker.io/*, docker.io/*",
            "bitnami/*, docker.io/bitnami/*",
            "ghcr.io/owner/app, ghcr.io/owner/app",
            "ghcr.io/*, ghcr.io/*",
            "GHCR.io/owner/app, ghcr.io/owner/app",
            "mcr.microsoft.com/dotnet/*, mcr.microsoft.com/dotnet/*",
            "'  quay.io/prometheus/node-exporter  ', quay.io/prometheus/node-exporter",
            "localhost/team/app, localhost/team/app",
            "localhost:5001/team/app, localhost:5001/team/app",
            "127.0.0.1:5001/hello, 127.0.0.1:5001/hello",
            "127.0.0.1:5001/*, 127.0.0.1:5001/*",
            "[::1]:5001/a/b, [::1]:5001/a/b",
            "us-docker.pkg.dev/project/repo/img, us-docker.pkg.dev/project/repo/img",
            "docker.io/my_org/my-app.v2, docker.io/my_org/my-app.v2",
    })
    void normalizesSourcesAsDockerReadsThem(String written, String normalized) {
        assertThat(SourceRepositories.normalize(written)).isEqualTo(normalized);
    }

    @Test
    void normalizingIsIdempotent() {
        for (String s : new String[]{"nginx", "docker.io/*", "library/*", "ghcr.io/a/b", "127.0.0.1:5001/x/*"}) {
            String once = SourceRepositories.normalize(s);
            assertThat(SourceRepositories.normalize(once)).isEqualTo(once);
        }
    }

    @Test
    void refusesATagWithAPreciseMessage() {
        assertThatThrownBy(() -> SourceRepositories.normalize("nginx:1.25"))
                .isInstanceOf(RuleValidationException.class)
                .hasMessage("a tag or digest is not allowed in a rule's source repository: 'nginx:1.25'");
    }

    @ParameterizedTest
    @CsvSource({
            "ghcr.io/owner/app:latest",
            "nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "docker.io/library/nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "localhost:5000/app:v1",
    })
    void refusesATagOrDigestAnywhere(String source) {
        assertThatThrownBy(() -> SourceRepositories.normalize(source))
                .isInstanceOf(RuleValidationException.class)
                .hasMessage("a tag or digest is not allowed in a rule's source repository: '" + source + "'");
    }

    @Test
    void refusesUppercasePathsSayingTheyMustBeLowercase() {
        assertThatThrownBy(() -> SourceRepositories.normalize("ghcr.io/Owner/App"))
                .isInstanceOf(RuleValidationException.class)
                .hasMessage("a rule's source repository must be lowercase: 'ghcr.io/Owner/App'");
        assertThatThrownBy(() -> SourceRepositories.normalize("Nginx"))
                .hasMessageContaining("must be lowercase");
    }

    @ParameterizedTest
    @CsvSource({
            "ghcr.io/, empty path component",
            "ghcr.io//app, empty path component",
            "ghcr.io/app/, empty path component",
            "ghcr.io/a/*/b, wildcard may only end",
            "ghcr.io/a*, wildcard may only end",
            "'*', names its registry",
            "ghcr.io, needs a path after the login server",
            "localhost:5000, needs a path after the login server",
            "https://ghcr.io/app, without a scheme",
            "ghcr.io/-app, not a valid path component",
            "ghcr.io/a..b, not a valid path component",
            "host:99999/app, between 1 and 65535",
            "bad_host.io/app, not a valid login server",
    })
    void refusesMalformedSources(String source, String reason) {
        assertThatThrownBy(() -> SourceRepositories.normalize(source))
                .isInstanceOf(RuleValidationException.class)
                .hasMessageContaining(reason);
    }

    @Test
    void refusesAnEmptySource() {
        assertThatThrownBy(() -> SourceRepositories.normalize("  "))
                .hasMessage("a rule's source repository is empty");
        assertThatThrownBy(() -> SourceRepositories.normalize(null))
                .hasMessage("a rule's source repository is empty");
    }

    @Test
    void refusesAPathLongerThanARepositoryName() {
        String longPath = "ghcr.io/" + "a".repeat(256);
        assertThatThrownBy(() -> SourceRepositories.normalize(longPath))
                .hasMessageContaining("at most 255 characters");
    }

    @Test
    void splitsANormalizedSourceIntoLoginServerAndPath() {
        assertThat(SourceRepositories.loginServer("docker.io/library/nginx")).isEqualTo("docker.io");
        assertThat(SourceRepositories.path("docker.io/library/nginx")).isEqualTo("library/nginx");
        assertThat(SourceRepositories.loginServer("127.0.0.1:5001/*")).isEqualTo("127.0.0.1:5001");
        assertThat(SourceRepositories.path("127.0.0.1:5001/*")).isEqualTo("*");
    }
}
