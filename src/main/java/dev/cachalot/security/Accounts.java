package dev.cachalot.security;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The users and access tokens as loaded at one configuration version: read without locks on every request, replaced
 * whole when the configuration moves.
 */
public final class Accounts {
    public static final Accounts NONE = new Accounts(List.of(), List.of());

    private final Map<String, User> users = new HashMap<>();
    private final Map<String, AccessToken> tokensByHash = new HashMap<>();
    private final Map<String, AccessToken> tokensById = new HashMap<>();

    public Accounts(List<User> users, List<AccessToken> tokens) {
        for (User u : users) this.users.put(u.name(), u);
        for (AccessToken t : tokens) {
            tokensByHash.put(t.secretHash(), t);
            tokensById.put(t.id(), t);
        }
    }

    public static Accounts load(UserStore store) {
        return new Accounts(store.users(), store.tokens());
    }

    public boolean noUsers() {
        return users.isEmpty();
    }

    User user(String name) {
        return name == null ? null : users.get(name);
    }

    AccessToken tokenWithHash(String hash) {
        return tokensByHash.get(hash);
    }

    AccessToken token(String id) {
        return id == null ? null : tokensById.get(id);
    }
}
