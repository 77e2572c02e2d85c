package dev.cachalot.security;

/**
 * Who a request acts for: a user (signed in with their password or one of their access tokens), or nobody
 * ({@link #ANONYMOUS}).
 *
 * @param tokenId the access token used to sign in, or null for a password (and for anonymous)
 */
public record Principal(String user, String tokenId) {
    public static final Principal ANONYMOUS = new Principal(null, null);

    public boolean anonymous() {
        return user == null;
    }
}
