package dev.cachalot.security;

import java.time.Instant;
import java.util.List;

/**
 * Where users and access tokens are kept: the metadata database ({@link JdbcUserStore}, portable SQL, so a PostgreSQL
 * database serves as well as the embedded one). Every change is a configuration change: running engines on the same
 * data are told through the configuration signal and read it before their next request.
 */
public interface UserStore {

    /** Every user, by name. */
    List<User> users();

    /** Adds a user. @throws IllegalArgumentException when the name is taken */
    void add(User user);

    /** Removes a user and their access tokens. @return false when there was no such user */
    boolean remove(String name);

    /** Every access token, by name. */
    List<AccessToken> tokens();

    /** Adds a token. @throws IllegalArgumentException when the name is taken or the user does not exist */
    void add(AccessToken token);

    /** Revokes (deletes) a token. @return false when there was no such token */
    boolean revoke(String name);

    /**
     * Records that a token was used at {@code when}. Not a configuration change (nothing is decided on it), so it
     * wakes no engine.
     */
    void markUsed(String tokenId, Instant when);
}
