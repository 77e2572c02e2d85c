package dev.cachalot.oci;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReferrersTagTest {

    @Test
    void aSha256SubjectKeepsItsWholeHex() {
        Digest subject = Digest.parse("sha256:" + "ab".repeat(32));
        assertThat(ReferrersTag.of(subject)).isEqualTo("sha256-" + "ab".repeat(32));
        assertThat(ReferrersTag.isReferrersTag(ReferrersTag.of(subject))).isTrue();
    }

    @Test
    void aSha512SubjectIsNamedByItsAlgorithmAndItsHexCutTo64Characters() {
        Digest subject = Digest.parse("sha512:" + "0123456789abcdef".repeat(8));
        assertThat(ReferrersTag.of(subject)).isEqualTo("sha512-" + "0123456789abcdef".repeat(4));
        assertThat(ReferrersTag.isReferrersTag(ReferrersTag.of(subject))).isTrue();
    }
}
