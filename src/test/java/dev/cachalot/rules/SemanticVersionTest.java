package dev.cachalot.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SemanticVersionTest {

    @ParameterizedTest
    @ValueSource(strings = {"latest", "1.2.3.4", "01.2", "1.02", "", "v", "1.", "1.2.3-", "1.2.3-01", "x1", "1.2.3+", "99999999999"})
    void isNotAVersion(String text) {
        assertThat(SemanticVersion.parse(text)).isEmpty();
    }

    @Test
    void readsPartialAndPrefixedVersions() {
        assertThat(SemanticVersion.parse("3").orElseThrow()).isEqualTo(new SemanticVersion(3, 0, 0, List.of(), 1));
        assertThat(SemanticVersion.parse("v3.19").orElseThrow()).isEqualTo(new SemanticVersion(3, 19, 0, List.of(), 2));
        assertThat(SemanticVersion.parse("V1.2.3-rc.1+build.5").orElseThrow())
                .isEqualTo(new SemanticVersion(1, 2, 3, List.of("rc", "1"), 3));
        assertThat(SemanticVersion.parse("3.19-alpine").orElseThrow().isPreRelease()).isTrue();
    }

    @Test
    void ordersAsTheSemverSpecificationSays() {
        // semver 2.0, item 11: 1.0.0-alpha < 1.0.0-alpha.1 < 1.0.0-alpha.beta < 1.0.0-beta < 1.0.0-beta.2 < 1.0.0-beta.11
        //                      < 1.0.0-rc.1 < 1.0.0 < 1.0.1 < 1.2 < 1.10.0 < 2
        List<String> ordered = List.of("1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
                "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.2", "1.10.0", "2");
        List<SemanticVersion> shuffled = new ArrayList<>(ordered.stream().map(t -> SemanticVersion.parse(t).orElseThrow()).toList());
        Collections.shuffle(shuffled, new java.util.Random(7));
        Collections.sort(shuffled);
        assertThat(shuffled.stream().map(SemanticVersion::toString).toList()).isEqualTo(ordered);
    }

    @Test
    void buildMetadataDoesNotOrder() {
        assertThat(SemanticVersion.parse("1.2.3+a").orElseThrow().compareTo(SemanticVersion.parse("1.2.3+b").orElseThrow())).isZero();
    }
}
