package dev.cachalot.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PlatformFilterTest {

    @Test
    void anEntryWithoutAVariantTakesEveryVariant() {
        PlatformFilter filter = PlatformFilter.parse("linux/amd64,linux/arm64");
        assertThat(filter.matches("linux/amd64")).isTrue();
        assertThat(filter.matches("linux/arm64/v8")).isTrue();
        assertThat(filter.matches("linux/arm/v7")).isFalse();
        assertThat(filter.matches("windows/amd64")).isFalse();
        assertThat(filter.matches("linux/amd64x")).isFalse();
    }

    @Test
    void anEntryWithAVariantTakesOnlyThatVariant() {
        PlatformFilter filter = PlatformFilter.parse("linux/arm/v7");
        assertThat(filter.matches("linux/arm/v7")).isTrue();
        assertThat(filter.matches("linux/arm/v6")).isFalse();
        assertThat(filter.matches("linux/arm")).isFalse();
    }

    @Test
    void noFilterTakesEverythingEvenManifestsWithoutAPlatform() {
        assertThat(PlatformFilter.parse(null).matches(null)).isTrue();
        assertThat(PlatformFilter.parse(" ").isAll()).isTrue();
        assertThat(PlatformFilter.parse("linux/amd64").matches(null)).isFalse();
    }

    @Test
    void refusesWhatIsNotOsSlashArchitecture() {
        assertThatThrownBy(() -> PlatformFilter.parse("amd64")).hasMessageContaining("platform 'amd64'");
        assertThatThrownBy(() -> PlatformFilter.parse("linux/amd64,")).hasMessageContaining("platform ''");
        assertThatThrownBy(() -> PlatformFilter.parse("Linux/AMD64")).hasMessageContaining("lower case");
    }
}
