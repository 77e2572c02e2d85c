package dev.cachalot.credentials;

import java.time.Instant;

/**
 * A credential set as ACR has it: which upstream it is for and which vault secrets hold its username and password
 * (references only, never the values), with the health of its last use.
 *
 * @param usernameSecret {@code vault:<name>}
 * @param passwordSecret {@code vault:<name>}
 * @param errorCode      null when healthy: {@code UpstreamUnauthorized}, {@code UpstreamUnreachable},
 *                       {@code SecretNotFound}, {@code TokenRealmRejected}, {@code UpstreamError}
 * @param lastChecked    when the health was last seen, or null before the first use
 * @param rateLimitLimit Docker Hub's {@code ratelimit-limit} header as last seen, or null
 */
public record CredentialSet(String name, String loginServer, String usernameSecret, String passwordSecret,
                            Health health, String errorCode, String errorMessage, Instant lastChecked,
                            String rateLimitLimit, String rateLimitRemaining, Instant creationDate) {

    public enum Health { Healthy, Unhealthy }

    public CredentialSet withSecrets(String usernameSecret, String passwordSecret) {
        return new CredentialSet(name, loginServer, usernameSecret, passwordSecret, health, errorCode, errorMessage,
                lastChecked, rateLimitLimit, rateLimitRemaining, creationDate);
    }

    public CredentialSet withHealth(Health health, String errorCode, String errorMessage, Instant lastChecked) {
        return new CredentialSet(name, loginServer, usernameSecret, passwordSecret, health, errorCode, errorMessage,
                lastChecked, rateLimitLimit, rateLimitRemaining, creationDate);
    }
}
