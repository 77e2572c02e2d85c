package dev.cachalot.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UpstreamCatalogTest {

    private final UpstreamCatalog catalog = new UpstreamCatalog(List.of());

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "docker.io, https://registry-1.docker.io, AUTHENTICATED_ONLY",
            "mcr.microsoft.com, https://mcr.microsoft.com, ANONYMOUS_ONLY",
            "public.ecr.aws, https://public.ecr.aws, ANONYMOUS_ONLY",
            "ghcr.io, https://ghcr.io, BOTH",
            "quay.io, https://quay.io, BOTH",
            "registry.k8s.io, https://registry.k8s.io, BOTH",
            "gcr.io, https://gcr.io, BOTH",
    })
    void knowsTheBuiltInUpstreams(String loginServer, String endpoint, AuthMode auth) {
        Upstream u = catalog.find(loginServer).orElseThrow();
        assertThat(u.loginServer()).isEqualTo(loginServer);
        assertThat(u.endpoint()).isEqualTo(URI.create(endpoint));
        assertThat(u.authMode()).isEqualTo(auth);
        assertThat(u.builtIn()).isTrue();
        assertThat(UpstreamCatalog.builtIn()).contains(u);
    }

    @Test
    void treatsDockerHubApiHostsAsAliasesOfDockerIo() {
        Upstream hub = catalog.find("docker.io").orElseThrow();
        assertThat(catalog.find("registry-1.docker.io")).contains(hub);
        assertThat(catalog.find("index.docker.io")).contains(hub);
        assertThat(catalog.find("Docker.IO")).contains(hub);
    }

    @Test
    void findsGcrRegionsAndArtifactRegistryHostsWithoutListingThem() {
        assertThat(catalog.find("eu.gcr.io")).get()
                .satisfies(u -> {
                    assertThat(u.endpoint()).isEqualTo(URI.create("https://eu.gcr.io"));
                    assertThat(u.authMode()).isEqualTo(AuthMode.BOTH);
                });
        assertThat(catalog.find("us.gcr.io")).isPresent();
        assertThat(catalog.find("asia.gcr.io")).isPresent();
        assertThat(catalog.find("europe-west1-docker.pkg.dev")).get()
                .satisfies(u -> assertThat(u.endpoint()).isEqualTo(URI.create("https://europe-west1-docker.pkg.dev")));
        assertThat(catalog.find("mars.gcr.io")).isEmpty();
        assertThat(catalog.find("-docker.pkg.dev")).isEmpty();
        assertThat(UpstreamCatalog.builtIn()).extracting(Upstream::loginServer).doesNotContain("eu.gcr.io");
    }

    @Test
    void listsBuiltInUpstreamsFirstThenCustomOnes() {
        Upstream local = UpstreamCatalog.custom("127.0.0.1:5001", "http://127.0.0.1:5001", null);
        UpstreamCatalog withCustom = new UpstreamCatalog(List.of(local));
        assertThat(withCustom.all()).hasSize(UpstreamCatalog.builtIn().size() + 1).endsWith(local);
        assertThat(withCustom.find("127.0.0.1:5001")).contains(local);
        assertThat(catalog.find("127.0.0.1:5001")).isEmpty();
    }

    @Test
    void buildsACustomUpstreamThatAllowsBothAuthModes() {
        Upstream u = UpstreamCatalog.custom("Registry.Example.com:8443", "HTTPS://registry.example.com:8443/", "PEM");
        assertThat(u.loginServer()).isEqualTo("registry.example.com:8443");
        assertThat(u.endpoint()).isEqualTo(URI.create("https://registry.example.com:8443"));
        assertThat(u.authMode()).isEqualTo(AuthMode.BOTH);
        assertThat(u.caCertPem()).isEqualTo("PEM");
        assertThat(u.builtIn()).isFalse();
    }

    @ParameterizedTest
    @CsvSource({
            "myregistry, http://myregistry:5000, needs a dot or a port",
            "ghcr.io, https://ghcr.io, is a built-in upstream",
            "registry-1.docker.io, https://registry-1.docker.io, is a built-in upstream",
            "eu.gcr.io, https://eu.gcr.io, is a built-in upstream",
            "host.example:0, http://host.example, between 1 and 65535",
            "host.example/path, http://host.example, not a valid login server",
            "host.example, ftp://host.example, must be http(s)://host[:port]",
            "host.example, http://host.example/v2, must be http(s)://host[:port]",
            "host.example, http://user:pw@host.example, may not contain a user name or password",
            "host.example, host.example, must be http(s)://host[:port]",
    })
    void refusesMalformedCustomUpstreams(String loginServer, String endpoint, String reason) {
        assertThatThrownBy(() -> UpstreamCatalog.custom(loginServer, endpoint, null))
                .isInstanceOf(RuleValidationException.class)
                .hasMessageContaining(reason);
    }

    @Test
    void neverShowsEndpointCredentialsInItsMessage() {
        assertThatThrownBy(() -> UpstreamCatalog.custom("host.example", "http://user:s3cret@host.example/x", null))
                .isInstanceOf(RuleValidationException.class);
        // The endpoint is echoed to help the user, but userinfo in it may be a password.
        assertThatThrownBy(() -> UpstreamCatalog.custom("host.example", "http://user:s3cret@host.example/x", null))
                .message().doesNotContain("s3cret");
    }
}
