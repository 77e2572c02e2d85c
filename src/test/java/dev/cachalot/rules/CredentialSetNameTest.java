package dev.cachalot.rules;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class CredentialSetNameTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "hub-creds", "Hub-Creds", "abcde", "12345", "a----", "hub-creds-", "ghcr-io-creds",
            "a2345678901234567890123456789012345678901234567890" // 50
    })
    void acceptsFiveToFiftyLettersDigitsAndHyphensStartingWithALetterOrDigit(String name) {
        assertThat(CredentialSetName.problem(name)).isNull();
        assertThat(CredentialSetName.isValid(name)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"-hub-creds", "--abcde", "-----"})
    void refusesALeadingHyphenWhichWouldReadAsAnOption(String name) {
        assertThat(CredentialSetName.problem(name)).isEqualTo(
                "credential set name '" + name + "' may contain only letters, digits and hyphens, starting with a letter or digit");
    }

    @ParameterizedTest
    @ValueSource(strings = {"hub_creds", "hub.creds", "hub creds", " hub-creds", "hub-creds ", "hüb-creds", "hub/creds"})
    void refusesAnyOtherCharacterIncludingSurroundingSpaces(String name) {
        assertThat(CredentialSetName.problem(name)).contains("may contain only letters, digits and hyphens");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "abcd", "a-2-", "a23456789012345678901234567890123456789012345678901"})
    void refusesFewerThanFiveOrMoreThanFiftyCharactersSayingHowMany(String name) {
        assertThat(CredentialSetName.problem(name)).isEqualTo("credential set name '" + name
                + "' must be 5 to 50 characters long (it has " + name.length() + ")");
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"   "})
    void refusesAMissingName(String name) {
        assertThat(CredentialSetName.problem(name)).isEqualTo("a credential set needs a name");
    }

    @Test
    void shortensAVeryLongNameInItsMessage() {
        String name = "x".repeat(200);
        assertThat(CredentialSetName.problem(name)).isEqualTo("credential set name '" + "x".repeat(57)
                + "...' must be 5 to 50 characters long (it has 200)");
    }
}
