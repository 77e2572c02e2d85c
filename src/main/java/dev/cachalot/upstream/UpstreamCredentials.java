package dev.cachalot.upstream;

import java.util.Optional;

/**
 * Where the upstream client gets a credential set's username and password, and where it reports how they fared.
 * Implemented by the credentials part; the cache never stores secrets itself.
 */
public interface UpstreamCredentials {

    /** No credential sets at all: every pull is anonymous. */
    UpstreamCredentials NONE = new UpstreamCredentials() {
        @Override
        public Optional<Login> login(String credentialSet) {
            return Optional.empty();
        }
    };

    /**
     * The login of a credential set, or empty when it has none (or its secrets are missing).
     *
     * @throws Unreadable when the set's secrets exist but cannot be read now (a locked vault)
     */
    Optional<Login> login(String credentialSet);

    /**
     * A credential set's secrets cannot be read now: the vault is locked (the engine was started without its
     * passphrase) or its key is out of reach. The upstream is then not asked with a wrong (anonymous) login, and
     * the client is told the real cause. The message says what to do and never holds a secret.
     */
    final class Unreadable extends RuntimeException {
        public Unreadable(String message) {
            super(message);
        }
    }

    /** Called after each use of a credential set against an upstream (success or failure). */
    default void reportHealth(String credentialSet, boolean healthy, String errorCode, String errorMessage) {
    }

    /** Called with Docker Hub's {@code ratelimit-limit} / {@code ratelimit-remaining} headers when present. */
    default void reportRateLimit(String credentialSet, String limit, String remaining) {
    }

    /** A username and password. Clear {@code password} after use. */
    record Login(String username, char[] password) {
        @Override
        public String toString() {
            return "Login[username=" + username + ", password=***]";
        }
    }
}
