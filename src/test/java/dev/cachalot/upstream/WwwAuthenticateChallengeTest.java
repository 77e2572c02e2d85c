package dev.cachalot.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class WwwAuthenticateChallengeTest {

    @Test
    void parsesDockerHubBearerChallengeWithCommaInsideScope() {
        var c = WwwAuthenticateChallenge.preferred(List.of(
                "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/nginx:pull,push\""))
                .orElseThrow();
        assertThat(c.isBearer()).isTrue();
        assertThat(c.param("realm")).hasValue("https://auth.docker.io/token");
        assertThat(c.param("service")).hasValue("registry.docker.io");
        assertThat(c.param("scope")).hasValue("repository:library/nginx:pull,push");
    }

    @Test
    void prefersBearerOverBasicAcrossChallengesInOneHeader() {
        var all = WwwAuthenticateChallenge.parseAll(List.of("Basic realm=\"Registry\", Bearer realm=\"https://r/t\", service=s"));
        assertThat(all).extracting(WwwAuthenticateChallenge::scheme).containsExactly("basic", "bearer");
        assertThat(WwwAuthenticateChallenge.preferred(List.of("Basic realm=\"Registry\", Bearer realm=\"https://r/t\"")))
                .get().extracting(WwwAuthenticateChallenge::scheme).isEqualTo("bearer");
    }

    @Test
    void unquotesEscapesAndIgnoresCaseOfSchemeAndParamNames() {
        var c = WwwAuthenticateChallenge.parseAll(List.of("BEARER Realm=\"a\\\"b\"")).get(0);
        assertThat(c.isBearer()).isTrue();
        assertThat(c.param("realm")).hasValue("a\"b");
    }

    @Test
    void findsNoChallengeInGarbage() {
        assertThat(WwwAuthenticateChallenge.preferred(List.of("", "=\"x\""))).isEmpty();
    }
}
