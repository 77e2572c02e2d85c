package dev.cachalot.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DigestOfTest {

    private static final byte[] ABC = "abc".getBytes(StandardCharsets.US_ASCII);

    @Test
    void hashesContentWithTheNamedAlgorithm() {
        // FIPS 180-2 test vectors for "abc".
        assertThat(Digest.of("sha256", ABC).toString())
                .isEqualTo("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(Digest.of("sha512", ABC).toString()).isEqualTo("sha512:"
                + "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                + "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
    }

    @Test
    void refusesAlgorithmsThatAreNotDigestsHere() {
        assertThatThrownBy(() -> Digest.of("md5", ABC)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("md5");
    }
}
