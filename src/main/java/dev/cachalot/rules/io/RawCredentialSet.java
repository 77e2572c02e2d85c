package dev.cachalot.rules.io;

/**
 * Credential set metadata from a file: never a secret, only where secrets are referenced
 * ({@code vault:<name>}, or an Azure Key Vault secret identifier from {@code az acr credential-set list}).
 *
 * @param problem why the entry is refused as read (it carries a secret value, is not an object), or null
 */
public record RawCredentialSet(String location, String name, String loginServer, String usernameSecret, String passwordSecret,
                               String problem) {
}
