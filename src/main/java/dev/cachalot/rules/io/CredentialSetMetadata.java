package dev.cachalot.rules.io;

/**
 * A credential set as rule files carry it: names and vault references ({@code vault:<name>}), never secrets.
 * References may be null when the secrets have yet to be set.
 */
public record CredentialSetMetadata(String name, String loginServer, String usernameSecret, String passwordSecret) {
    @Override
    public String toString() {
        return "CredentialSetMetadata[" + name + " for " + loginServer + "]";
    }
}
