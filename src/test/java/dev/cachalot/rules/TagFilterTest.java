package dev.cachalot.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TagFilterTest {

    private static final List<String> TAGS = List.of("latest", "edge", "3.18", "3.18.4", "3.19", "3.19.0", "3.19.1", "v3.20.2",
            "3.20", "3.19-alpine", "4.0.0-rc.1", "4.0", "4.1.0", "10.0", "2", "3.19.1.2", "03.1");

    private static final String REFERRERS_TAG = "sha256-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private static List<String> select(String filter) {
        return TagFilter.parse(filter).select(TAGS);
    }

    @Test
    void aListPicksExactlyTheNamedTags() {
        assertThat(select("3.19,3.20")).containsExactly("3.19", "3.20");
        assertThat(select(" latest , edge ")).containsExactly("latest", "edge");
    }

    @Test
    void aSingleNameIsAListOfOne() {
        assertThat(select("3.19")).containsExactly("3.19");
    }

    @Test
    void globsCoverPrefixSuffixAndContains() {
        assertThat(select("3.19*")).containsExactly("3.19", "3.19.0", "3.19.1", "3.19-alpine", "3.19.1.2");
        assertThat(select("*-alpine")).containsExactly("3.19-alpine");
        assertThat(select("*rc*")).containsExactly("4.0.0-rc.1");
        assertThat(select("3.1?")).containsExactly("3.18", "3.19");
        assertThat(select("*")).isEqualTo(TAGS);
        assertThat(select("3.*,latest")).containsExactly("latest", "3.18", "3.18.4", "3.19", "3.19.0", "3.19.1", "3.20", "3.19-alpine",
                "3.19.1.2");
    }

    @Test
    void globStarsBacktrack() {
        assertThat(TagFilter.Globs.globMatches("a*b*c", "aXbYbZc")).isTrue();
        assertThat(TagFilter.Globs.globMatches("a*b*c", "aXbYbZ")).isFalse();
        assertThat(TagFilter.Globs.globMatches("**", "")).isTrue();
        assertThat(TagFilter.Globs.globMatches("?", "")).isFalse();
    }

    @Test
    void aRegularExpressionMustMatchTheWholeTag() {
        assertThat(select("re:3\\.19")).containsExactly("3.19");
        assertThat(select("re:^3\\.\\d+$")).containsExactly("3.18", "3.19", "3.20");
        assertThat(select("RE:.*alpine")).containsExactly("3.19-alpine");
    }

    @Test
    void aSemverRangeTakesVersionsWithVPrefixesAndTwoParts() {
        assertThat(select("semver:>=3.19 <4")).containsExactly("3.19", "3.19.0", "3.19.1", "v3.20.2", "3.20");
    }

    @Test
    void preReleasesAndSuffixedTagsStayOutUnlessTheRangeNamesOne() {
        assertThat(select("semver:>=3.19")).doesNotContain("3.19-alpine", "4.0.0-rc.1").contains("4.0", "10.0");
        assertThat(select("semver:>=4.0.0-rc.0 <4.1")).containsExactly("4.0.0-rc.1", "4.0");
    }

    @Test
    void partialVersionsAreXRanges() {
        assertThat(select("semver:3.19")).containsExactly("3.19", "3.19.0", "3.19.1");
        assertThat(select("semver:=3.19.0")).containsExactly("3.19", "3.19.0");
        assertThat(select("semver:3.x")).containsExactly("3.18", "3.18.4", "3.19", "3.19.0", "3.19.1", "v3.20.2", "3.20");
        assertThat(select("semver:<=3.18")).containsExactly("3.18", "3.18.4", "2");
        assertThat(select("semver:>3.19")).containsExactly("v3.20.2", "3.20", "4.0", "4.1.0", "10.0");
        assertThat(select("semver:<3.19")).containsExactly("3.18", "3.18.4", "2");
    }

    @Test
    void tildeCaretAndAlternatives() {
        assertThat(select("semver:~3.19.0")).containsExactly("3.19", "3.19.0", "3.19.1");
        assertThat(select("semver:^3.19")).containsExactly("3.19", "3.19.0", "3.19.1", "v3.20.2", "3.20");
        assertThat(select("semver:2 || >=10")).containsExactly("10.0", "2");
        assertThat(select("semver:>= 4.0 < 4.1")).containsExactly("4.0");
        assertThat(select("semver:*")).contains("2", "10.0").doesNotContain("latest", "4.0.0-rc.1");
    }

    @Test
    void numbersCompareNumericallyNotAsText() {
        assertThat(select("semver:>=4")).containsExactly("4.0", "4.1.0", "10.0");
    }

    /** Registries without the referrers API hold each image's referrers under such a tag (OCI distribution spec 1.1). */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "*", "sha256-*", "re:.*", "re:sha256-[0-9a-f]+", "semver:*", "semver-latest:100",
            REFERRERS_TAG, REFERRERS_TAG + ",latest", "sha512-*"})
    void noFilterTakesAReferrersTag(String filter) {
        List<String> tags = List.of(REFERRERS_TAG, "latest", "3.19", "sha512-" + "1".repeat(64), "sha256-abc");

        assertThat(TagFilter.parse(filter).select(tags)).doesNotContain(REFERRERS_TAG, "sha512-" + "1".repeat(64));
        assertThat(TagFilter.parse(filter).matches(REFERRERS_TAG)).isFalse();
    }

    @Test
    void aReferrersTagIsOnlyTheSchemasExactForm() {
        // one hex digit short, upper-case hex, another algorithm: ordinary tags a filter may take
        List<String> lookAlikes = List.of("sha256-" + "a".repeat(63), "sha256-" + "A".repeat(64), "md5-" + "a".repeat(64), "sha256-abc");
        assertThat(TagFilter.parse("*").select(lookAlikes)).isEqualTo(lookAlikes);
        assertThat(TagFilter.parse("*").select(List.of(REFERRERS_TAG, "latest"))).containsExactly("latest");
    }

    @Test
    void latestNTakesTheHighestReleaseVersionsInTheGivenOrder() {
        assertThat(select("semver-latest:3")).containsExactly("4.0", "4.1.0", "10.0");
        assertThat(TagFilter.parse("semver-latest:2").select(List.of("3.19", "3.19.0", "3.18"))).containsExactly("3.19", "3.19.0");
        assertThat(TagFilter.parse("semver-latest:1").select(List.of("3.19", "3.19.0"))).containsExactly("3.19.0");
        assertThat(TagFilter.parse("semver-latest:5").select(List.of("latest"))).isEmpty();
    }

    @Test
    void textReadsBack() {
        for (String text : List.of("3.19,3.20", "3.*", "re:^3\\.\\d+$", "semver:>=3.19 <4", "semver-latest:3")) {
            TagFilter filter = TagFilter.parse(text);
            assertThat(TagFilter.parse(filter.text())).isEqualTo(filter);
            assertThat(filter.text()).isEqualTo(text);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiterString = " => ", quoteCharacter = '"', value = {
            "\"\" => empty tag filter",
            "re: => no regular expression",
            "re:3.(19 => not a valid regular expression: Unclosed group",
            "re:[a- => not a valid regular expression",
            "semver: => empty semantic version range",
            "semver:>=3.19 < => '<' is not followed by a version",
            "semver:>=3.x.y => '>=3.x.y' is not a version",
            "semver:>=abc => '>=abc' is not a version",
            "semver:1 |||| 2 => empty alternative",
            "semver:<* => matches no version",
            "semver:3.19-rc.1 => pre-release to a partial version",
            "semver-latest:0 => give a count from 1 to 10000",
            "semver-latest:x => give a count",
            "3.19,,3.20 => item 2 of the list is empty",
            "3.19 3.20 => '3.19 3.20' is not a tag or glob",
            "-x => '-x' is not a tag or glob",
            "tag:3.19 => unknown tag filter kind 'tag:'",
    })
    void refusesWithAPreciseMessage(String text, String message) {
        assertThatThrownBy(() -> TagFilter.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }
}
