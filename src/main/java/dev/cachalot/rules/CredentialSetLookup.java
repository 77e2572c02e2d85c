package dev.cachalot.rules;

import java.util.Optional;

/**
 * Tells rules which credential sets exist and for which login server (the credentials part answers; rules do not
 * depend on it), so a rule cannot name a credential set that does not exist or belongs to another upstream.
 */
@FunctionalInterface
public interface CredentialSetLookup {

    /** The canonical login server of credential set {@code name}, or empty when there is no such set. */
    Optional<String> loginServerOf(String name);
}
