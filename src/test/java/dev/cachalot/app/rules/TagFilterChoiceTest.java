package dev.cachalot.app.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.rules.RuleValidationException;
import dev.cachalot.rules.SyncDraft;
import dev.cachalot.rules.SyncPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The policy editor's tag filter kinds are the engine's filter forms: each kind writes a filter the engine takes with
 * the meaning the kind's name promises, and a filter the engine holds is shown as the kind that wrote it.
 */
class TagFilterChoiceTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "EVERY    | ignored        | ''",
            "EXACT    | 3.19,3.20      | 3.19,3.20",
            "PREFIX   | 3.,4.          | 3.*,4.*",
            "SUFFIX   | -alpine        | *-alpine",
            "CONTAINS | alpine         | *alpine*",
            "GLOB     | 3.?,*-slim     | 3.?,*-slim",
            "REGEX    | ^3\\.\\d+$     | re:^3\\.\\d+$",
            "SEMVER   | >=3.19 <4      | semver:>=3.19 <4",
            "LATEST   | 3              | semver-latest:3"})
    void eachKindWritesTheEnginesFormAndReadsItBack(TagFilterChoice kind, String value, String filter) {
        assertThat(kind.filter(value)).isEqualTo(filter);
        SyncPolicy taken = SyncPolicy.PASSIVE.with(new SyncDraft("active", filter, null, null, null, null, null, null), false);
        TagFilterChoice.Shown shown = TagFilterChoice.of(taken.tags().text());
        assertThat(shown.kind()).isEqualTo(kind);
        if (kind != TagFilterChoice.EVERY) assertThat(shown.value()).isEqualTo(value);
    }

    @Test
    void aPrefixTakesTheTagsStartingWithItAndNoOthers() {
        SyncPolicy p = SyncPolicy.PASSIVE.with(new SyncDraft("active", TagFilterChoice.PREFIX.filter("3."), null, null, null, null,
                null, null), false);
        assertThat(p.tags().select(java.util.List.of("3.19", "3.20", "4.0", "v3.1"))).containsExactly("3.19", "3.20");
    }

    @Test
    void anEmptyItemIsLeftForTheEngineToName() {
        String filter = TagFilterChoice.SUFFIX.filter("-alpine,");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SyncPolicy.PASSIVE.with(
                        new SyncDraft("active", filter, null, null, null, null, null, null), false))
                .isInstanceOf(RuleValidationException.class)
                .hasMessage("sync tags: tag filter '*-alpine,': item 2 of the list is empty");
    }

    @Test
    void refusalsGoUnderTheFieldTheyAreAbout() {
        assertThat(SyncPolicyDialog.Field.of("Sync tags: tag filter 're:(': not a valid regular expression"))
                .isEqualTo(SyncPolicyDialog.Field.TAGS);
        assertThat(SyncPolicyDialog.Field.of("Sync artifact types to include: 'x' is not a media type"))
                .isEqualTo(SyncPolicyDialog.Field.INCLUDE_TYPES);
        assertThat(SyncPolicyDialog.Field.of("Artifact type 'a/b' is both included and excluded"))
                .isEqualTo(SyncPolicyDialog.Field.EXCLUDE_TYPES);
        assertThat(SyncPolicyDialog.Field.of("Sync mode 'x' is neither active nor passive")).isEqualTo(SyncPolicyDialog.Field.FORM);
    }
}
