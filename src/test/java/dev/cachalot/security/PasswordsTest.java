package dev.cachalot.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PasswordsTest {

    @Test
    void aHashIsBcryptSaltedAndMatchesOnlyItsPassword() {
        String first = Passwords.hash("correct horse".toCharArray());
        String second = Passwords.hash("correct horse".toCharArray());
        assertThat(first).startsWith("$2y$10$").doesNotContain("correct");
        assertThat(first).as("a fresh salt each time").isNotEqualTo(second);
        assertThat(Passwords.matches("correct horse".toCharArray(), first)).isTrue();
        assertThat(Passwords.matches("correct horsE".toCharArray(), first)).isFalse();
        assertThat(Passwords.matches("correct horse".toCharArray(), "not a hash")).isFalse();
    }

    @Test
    void refusesPasswordsBcryptWouldCutOrThatAreTooShort() {
        assertThatThrownBy(() -> Passwords.hash("x".repeat(73).toCharArray())).hasMessageContaining("at most 72 bytes");
        // 36 two-byte characters are 72 bytes: still whole
        assertThat(Passwords.hash("é".repeat(36).toCharArray())).startsWith("$2y$");
        assertThatThrownBy(() -> Passwords.hash("é".repeat(37).toCharArray())).hasMessageContaining("at most 72 bytes");
        assertThatThrownBy(() -> Passwords.hash("short".toCharArray())).hasMessageContaining("at least 8");
    }

    @Test
    void tokenSecretsAreRandomPrefixedAndStoredAsTheirSha256() {
        String secret = TokenSecrets.newSecret();
        assertThat(secret).startsWith("cachalot_").hasSize("cachalot_".length() + 43);
        assertThat(TokenSecrets.looksLikeToken(secret)).isTrue();
        assertThat(TokenSecrets.looksLikeToken("cachalot_short")).isFalse();
        assertThat(TokenSecrets.newSecret()).isNotEqualTo(secret);
        assertThat(TokenSecrets.hash(secret)).hasSize(64).doesNotContain(secret.substring(9, 20));
    }
}
