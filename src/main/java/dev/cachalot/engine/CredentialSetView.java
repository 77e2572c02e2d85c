package dev.cachalot.engine;

import java.time.Instant;

/** A credential set without its secrets: only the vault references ({@code vault:<name>}). */
public record CredentialSetView(String name, String loginServer, String usernameSecret, String passwordSecret,
                                String health, String errorCode, String errorMessage, Instant lastChecked,
                                String rateLimitLimit, String rateLimitRemaining, Instant creationDate) {

    /** The view of a stored credential set: its vault references, never the secrets. */
    public static CredentialSetView of(dev.cachalot.credentials.CredentialSet s) {
        return new CredentialSetView(s.name(), s.loginServer(), s.usernameSecret(), s.passwordSecret(), s.health().name(),
                s.errorCode(), s.errorMessage(), s.lastChecked(), s.rateLimitLimit(), s.rateLimitRemaining(), s.creationDate());
    }
}
