package dev.cachalot.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SyncPolicyTest {

    private static SyncDraft draft(String mode, String tags, String platforms, String interval, String repositories) {
        return new SyncDraft(mode, tags, platforms, interval, repositories, null, null, null);
    }

    @Test
    void readsTheContractsFormsAndWritesThemBack() {
        SyncPolicy p = SyncPolicy.PASSIVE.with(draft("active", "semver:>=3.19 <4", "linux/amd64,linux/arm64", "30m", "nginx,alpine"), true);

        assertThat(p.isActive()).isTrue();
        assertThat(p.tags().select(java.util.List.of("3.18", "3.19", "3.20.1", "4.0"))).containsExactly("3.19", "3.20.1");
        assertThat(p.platforms().matches("linux/arm64/v8")).isTrue();
        assertThat(p.platforms().matches("linux/s390x")).isFalse();
        assertThat(p.interval()).isEqualTo(Duration.ofMinutes(30));
        assertThat(p.repositories()).containsExactly("nginx", "alpine");
        assertThat(SyncPolicy.of(p.draft())).isEqualTo(p);
    }

    @Test
    void nullFieldsKeepWhatWasSetSoActiveComesBackAsItWas() {
        SyncPolicy set = SyncPolicy.PASSIVE.with(draft("active", "3.*", "linux/amd64", "6h", null), false);
        SyncPolicy off = set.with(SyncDraft.mode("passive"), false);
        SyncPolicy on = off.with(SyncDraft.mode("ACTIVE"), false);

        assertThat(off.isActive()).isFalse();
        assertThat(on).isEqualTo(set);
    }

    @Test
    void aNewPolicyIsPassiveEveryTwelveHoursWithEveryTagAndPlatform() {
        SyncPolicy p = SyncPolicy.PASSIVE.with(SyncDraft.NONE, false);
        assertThat(p).isEqualTo(SyncPolicy.PASSIVE);
        assertThat(p.interval()).isEqualTo(Duration.ofHours(12));
        assertThat(p.tags()).isEqualTo(TagFilter.ALL);
        assertThat(p.platforms().isAll()).isTrue();
    }

    @Test
    void refusesEveryBadSettingInOneGoWithPreciseMessages() {
        assertThatThrownBy(() -> SyncPolicy.PASSIVE.with(draft("sometimes", "re:(", "linux", "10s", "Nginx"), true))
                .isInstanceOfSatisfying(RuleValidationException.class, e -> assertThat(e.problems()).containsExactly(
                        "sync mode 'sometimes' is neither active nor passive",
                        "sync tags: tag filter 're:(': not a valid regular expression: Unclosed group near index 1",
                        "sync platforms: platform 'linux' in 'linux' is not os/architecture[/variant] in lower case, such as"
                                + " linux/amd64 or linux/arm64/v8",
                        "sync interval '10s' is out of range: from 1m to 366d",
                        "sync repository 'Nginx' is not a repository path (lowercase components such as nginx or team/app,"
                                + " the part of the name that stands for '*')"));
    }

    @Test
    void repositoriesAreOnlyForWildcardRules() {
        assertThatThrownBy(() -> SyncPolicy.PASSIVE.with(draft("active", null, null, null, "nginx"), false))
                .isInstanceOf(RuleValidationException.class)
                .hasMessage("sync repositories are only for wildcard rules: a rule for one repository syncs that repository");
    }

    @Test
    void artifactTypesIncludeAndExcludeWithAPrefixForm() {
        SyncPolicy p = SyncPolicy.PASSIVE.with(new SyncDraft(null, null, null, null, null, "true",
                "application/vnd.oci.image.config.v1+json,application/vnd.example.*", "application/vnd.example.sbom.v1+json"), false);

        assertThat(p.referrers()).isTrue();
        assertThat(p.takesArtifactType("application/vnd.oci.image.config.v1+json")).isTrue();
        assertThat(p.takesArtifactType("application/vnd.example.signature.v1+json")).isTrue();
        assertThat(p.takesArtifactType("application/vnd.example.sbom.v1+json")).isFalse();
        assertThat(p.takesArtifactType("application/vnd.other+json")).isFalse();
        assertThatThrownBy(() -> SyncPolicy.PASSIVE.with(new SyncDraft(null, null, null, null, null, "maybe", "x", null), false))
                .isInstanceOfSatisfying(RuleValidationException.class, e -> assertThat(e.problems()).containsExactly(
                        "sync referrers 'maybe': write true or false",
                        "sync artifact types to include: 'x' is not a media type such as application/vnd.oci.image.config.v1+json"
                                + " (a trailing * takes a prefix)"));
    }
}
