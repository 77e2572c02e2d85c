package dev.cachalot.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RepositoryPatternTest {

    @Test
    void starMatchesEveryRepositoryAndIsTheDefault() {
        assertThat(RepositoryPattern.parse(null).matches("library/nginx")).isTrue();
        assertThat(RepositoryPattern.parse("").text()).isEqualTo("*");
        assertThat(RepositoryPattern.ALL.matches("a")).isTrue();
    }

    @Test
    void namespaceMatchesEverythingBelowItAtAnyDepthButNotItselfOrASiblingWithTheSamePrefix() {
        RepositoryPattern team = RepositoryPattern.parse("team/*");
        assertThat(team.matches("team/app")).isTrue();
        assertThat(team.matches("team/tools/builder")).isTrue();
        assertThat(team.matches("team")).isFalse();
        assertThat(team.matches("teammate/app")).isFalse();
        assertThat(team.matches("other/team/app")).isFalse();
    }

    @Test
    void aPlainNameMatchesThatRepositoryOnly() {
        RepositoryPattern app = RepositoryPattern.parse("team/app");
        assertThat(app.matches("team/app")).isTrue();
        assertThat(app.matches("team/app2")).isFalse();
        assertThat(app.matches("team/app/sub")).isFalse();
    }

    @Test
    void refusesGlobsThatAreNotATrailingNamespaceStar() {
        for (String bad : new String[] {"team*", "*/app", "Team/*", "team/**", "team//*", "te?m/*"}) {
            assertThatThrownBy(() -> RepositoryPattern.parse(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("team/*");
        }
    }
}
