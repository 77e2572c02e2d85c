package dev.cachalot.engine;

import java.time.Instant;

/** A credential set without its secrets: only the vault references ({@code vault:<name>}). */
public record CredentialSetView(String name, String loginServer, String usernameSecret, String passwordSecret,
                                String health, String errorCode, String errorMessage, Instant lastChecked,
                                String rateLimitLimit, String rateLimitRemaining, Instant creationDate) {
}
