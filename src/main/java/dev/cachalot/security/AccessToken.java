package dev.cachalot.security;

import java.time.Instant;

/**
 * A named access token that stands in for its user's password (CI). The secret is shown once when the token is made;
 * only its SHA-256 is kept. {@link #toString()} leaves the hash out.
 *
 * @param id       a random public identifier, carried by the short-lived tokens issued for it, so that revoking this
 *                 token ends them too (a name may be reused after a revocation; an id never is)
 * @param expires  null: never
 * @param lastUsed null: never used
 */
public record AccessToken(String name, String id, String user, String secretHash, Instant created, Instant expires,
                          Instant lastUsed) {

    /** A new token with a fresh id, never used yet. */
    public static AccessToken create(String name, String user, String secretHash, Instant created, Instant expires) {
        return new AccessToken(name, TokenSecrets.newId(), user, secretHash, created, expires, null);
    }

    public boolean expiredAt(Instant now) {
        return expires != null && !now.isBefore(expires);
    }

    @Override
    public String toString() {
        return "AccessToken[" + name + ", user " + user + ", expires " + (expires == null ? "never" : expires) + "]";
    }
}
