package dev.cachalot.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.rules.AuthMode;
import dev.cachalot.rules.Upstream;
import java.net.URI;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.Test;

class RealmPolicyTest {

    private final RealmPolicy policy = new RealmPolicy();

    private static Upstream upstream(String loginServer, String endpoint) {
        return new Upstream("u", loginServer, URI.create(endpoint), AuthMode.BOTH, null, true);
    }

    private boolean allows(String realm, Upstream upstream) {
        return policy.allows(HttpUrl.get(realm), upstream);
    }

    @Test
    void allowsDockerHubsAuthHostForItsRegistryHost() {
        assertThat(allows("https://auth.docker.io/token", upstream("docker.io", "https://registry-1.docker.io"))).isTrue();
    }

    @Test
    void allowsTheEndpointHostItself() {
        assertThat(allows("https://ghcr.io/token", upstream("ghcr.io", "https://ghcr.io"))).isTrue();
    }

    @Test
    void refusesARealmOfAnotherDomain() {
        assertThat(allows("https://auth.evil.io/token", upstream("docker.io", "https://registry-1.docker.io"))).isFalse();
    }

    @Test
    void treatsMultiLabelPublicSuffixesAsPartOfTheDomain() {
        Upstream uk = upstream("registry.shop.co.uk", "https://registry.shop.co.uk");
        assertThat(allows("https://auth.shop.co.uk/t", uk)).isTrue();
        assertThat(allows("https://auth.other.co.uk/t", uk)).isFalse();
    }

    @Test
    void refusesAnHttpRealmForAnHttpsUpstream() {
        assertThat(allows("http://auth.docker.io/token", upstream("docker.io", "https://registry-1.docker.io"))).isFalse();
    }

    @Test
    void refusesLoopbackAndLinkLocalRealmsForARemoteUpstream() {
        Upstream remote = upstream("registry.example.com", "https://registry.example.com");
        assertThat(allows("https://127.0.0.1/token", remote)).isFalse();
        assertThat(allows("https://169.254.169.254/token", remote)).isFalse();
        assertThat(allows("https://localhost/token", remote)).isFalse();
    }

    @Test
    void treatsOtherLoopbackHostsAsForeignForALoopbackUpstream() {
        Upstream local = upstream("127.0.0.1:5000", "http://127.0.0.1:5000");
        assertThat(allows("http://127.0.0.1:5001/token", local)).isTrue();
        assertThat(allows("http://127.0.0.2:5001/token", local)).isFalse();
        assertThat(allows("http://localhost:5001/token", local)).isFalse();
    }
}
