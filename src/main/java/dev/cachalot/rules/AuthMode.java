package dev.cachalot.rules;

/** What authentication an upstream allows for pulls through a rule. */
public enum AuthMode {
    /** Pulls must use a credential set (Docker Hub). */
    AUTHENTICATED_ONLY,
    /** Credential sets are refused (MCR, ECR Public). */
    ANONYMOUS_ONLY,
    /** Either. */
    BOTH;

    public boolean allowsAnonymous() {
        return this != AUTHENTICATED_ONLY;
    }

    public boolean allowsCredentials() {
        return this != ANONYMOUS_ONLY;
    }
}
