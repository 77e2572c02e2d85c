package dev.cachalot.security;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access decisions of one server-mode listener: who a request comes from (Basic credentials, or a token this engine
 * issued) and whether they may do what they ask. The HTTP side (challenges, the token endpoint's wire format) is the
 * registry's; this class knows nothing of HTTP.
 *
 * <p>Everything is decided against the {@link Accounts} current at the moment of the request: a user removed, a role
 * lowered or an access token revoked takes effect on the next request, even for short-lived tokens issued before
 * (they name their user and access token, which must still exist). Verified passwords are remembered in memory under
 * a keyed hash (a per-process random key), so clients that send Basic credentials on every request pay bcrypt once;
 * the memory is valid only while the user's stored hash is the one it was checked against.
 *
 * <p>Behind a balancer: the {@link Accounts} come from the shared database, read again whenever its configuration
 * version moved (checked on every request), so a removal or revocation through any node holds on every node's next
 * request. The remembered logins and the {@link LoginThrottle} stay per node: the first is only a shortcut that is
 * checked against the current user on every use, and the second counts the failures a node saw (an attacker spread
 * over three nodes gets three times the tries, still bounded).
 */
public final class Authority {
    private static final Logger log = LoggerFactory.getLogger(Authority.class);
    private static final int MAX_REMEMBERED_LOGINS = 4096;
    private static final Duration LAST_USED_PRECISION = Duration.ofMinutes(1);

    /**
     * @param anonymousPull    requests without credentials may pull (never push or delete)
     * @param anonymousMetrics {@code /metrics} answers without credentials
     */
    public record Settings(boolean anonymousPull, boolean anonymousMetrics) {
    }

    public enum Decision { ALLOWED, UNAUTHENTICATED, DENIED }

    /**
     * A request's signer-in and what it was granted: null {@code granted} for credentials sent with the request (all
     * the user's permissions), the token's scopes for a token.
     */
    public record Caller(Principal principal, List<Scope> granted) {
        public static final Caller ANONYMOUS = new Caller(Principal.ANONYMOUS, null);
    }

    /** A token for the token endpoint to send. @param refreshToken null unless asked for */
    public record IssuedToken(String token, Duration expiresIn, Instant issuedAt, String refreshToken, List<Scope> granted) {
        @Override
        public String toString() {
            return "IssuedToken[" + granted + ", expires in " + expiresIn + "]";
        }
    }

    /** A login refused: wrong credentials ({@link #retryAfterSeconds} 0), or too many failures from the address. */
    public static final class LoginRefused extends RuntimeException {
        private final long retryAfterSeconds;

        LoginRefused(String message, long retryAfterSeconds) {
            super(message, null, false, false);
            this.retryAfterSeconds = retryAfterSeconds;
        }

        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }

    private final UserStore store;
    private final Supplier<Accounts> accounts;
    private final TokenIssuer issuer;
    private final Settings settings;
    private final LoginThrottle throttle;
    private final Clock clock;
    private final SecretKeySpec rememberKey;
    private final ConcurrentHashMap<String, String> rememberedLogins = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Instant> lastUseRecorded = new ConcurrentHashMap<>();

    /**
     * @param tokenKeys the keys of this engine's short-lived tokens: the same on every engine behind one balancer, so a
     *                  token any of them issued is accepted by all
     */
    public Authority(UserStore store, Supplier<Accounts> accounts, TokenKeys tokenKeys, String service, Settings settings,
                     LoginThrottle throttle, Clock clock) {
        this.store = store;
        this.accounts = accounts;
        this.issuer = new TokenIssuer(tokenKeys, service, clock);
        this.settings = settings;
        this.throttle = throttle;
        this.clock = clock;
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        this.rememberKey = new SecretKeySpec(key, "HmacSHA256");
    }

    public Settings settings() {
        return settings;
    }

    /** True while no user exists: nobody can sign in yet. */
    public boolean noUsers() {
        return accounts.get().noUsers();
    }

    /**
     * Signs in with a user's password, or with one of their access tokens in its place.
     *
     * @throws LoginRefused for wrong credentials, and for any attempt from an address that failed too often lately
     */
    public Caller basic(String username, char[] secret, String clientAddress) {
        long wait = throttle.waitSeconds(clientAddress);
        if (wait > 0) {
            throw new LoginRefused("too many failed logins from this address; try again in " + wait + " s", wait);
        }
        Accounts current = accounts.get();
        Principal principal = verify(current, username, secret);
        if (principal == null) {
            int left = throttle.failed(clientAddress);
            log.warn("Failed login as '{}' from {} ({} more failures allowed before it must wait)", Printable.of(username),
                    clientAddress, left);
            throw new LoginRefused("wrong user name or password", 0);
        }
        return new Caller(principal, null);
    }

    /**
     * Who an access token's secret stands for: its user, while the token exists, has not expired and its user still
     * exists (its use is recorded); null otherwise. The one check of an access token, for Basic and Bearer alike.
     */
    private Principal accessTokenHolder(Accounts current, String secret) {
        AccessToken token = current.tokenWithHash(TokenSecrets.hash(secret));
        if (token == null || token.expiredAt(clock.instant()) || current.user(token.user()) == null) return null;
        recordUse(token.id());
        return new Principal(token.user(), token.id());
    }

    private Principal verify(Accounts current, String username, char[] secret) {
        User user = current.user(username);
        String text = new String(secret);
        if (TokenSecrets.looksLikeToken(text)) {
            Principal holder = accessTokenHolder(current, text);
            return holder != null && user != null && holder.user().equals(user.name()) ? holder : null;
        }
        if (user == null) {
            Passwords.checkDecoy(secret);
            return null;
        }
        String remembered = remembered(username, secret);
        if (user.passwordHash().equals(rememberedLogins.get(remembered))) {
            return new Principal(user.name(), null);
        }
        if (!Passwords.matches(secret, user.passwordHash())) return null;
        if (rememberedLogins.size() >= MAX_REMEMBERED_LOGINS) rememberedLogins.clear();
        rememberedLogins.put(remembered, user.passwordHash());
        return new Principal(user.name(), null);
    }

    /**
     * The caller a token of this engine (or one of its access tokens) stands for, or null when it is not one (forged,
     * expired, revoked, another engine's).
     */
    public Caller bearer(String token) {
        if (TokenSecrets.looksLikeToken(token)) {
            // An access token sent as a Bearer (CACHALOT_TOKEN for the CLI, CI scripts): as good as user:token in Basic.
            Principal holder = accessTokenHolder(accounts.get(), token);
            return holder == null ? null : new Caller(holder, null);
        }
        TokenIssuer.Claims claims = issuer.check(token, TokenIssuer.Kind.ACCESS);
        return claims == null ? null : new Caller(claims.principal(), claims.access());
    }

    /**
     * The caller a refresh token stands for, as long as their user (and the access token they signed in with) still
     * exist; null otherwise.
     */
    public Caller refresh(String refreshToken) {
        TokenIssuer.Claims claims = issuer.check(refreshToken, TokenIssuer.Kind.REFRESH);
        if (claims == null || claims.principal().anonymous() || current(accounts.get(), claims.principal()) == null) return null;
        if (claims.principal().tokenId() != null) recordUse(claims.principal().tokenId());
        return new Caller(claims.principal(), null);
    }

    /** Whether {@code caller} may use {@code permission} on {@code repository} now. */
    public Decision decide(Caller caller, Permission permission, String repository) {
        Principal principal = caller.principal();
        if (principal.anonymous()) {
            return permission == Permission.PULL && settings.anonymousPull() ? Decision.ALLOWED : Decision.UNAUTHENTICATED;
        }
        User user = current(accounts.get(), principal);
        if (user == null) return Decision.UNAUTHENTICATED;
        if (!permits(user, permission, repository)) return Decision.DENIED;
        if (caller.granted() != null && !granted(caller.granted(), permission, repository)) {
            return Decision.UNAUTHENTICATED; // allowed, but not asked for with this token: the client fetches one that is
        }
        return Decision.ALLOWED;
    }

    /**
     * Set on a request by the listener's access check once its caller holds {@code admin}: the management API reads it
     * to know it stands behind a check (its own default admits loopback callers only).
     */
    public static final String ADMIN_REQUEST_ATTRIBUTE = "dev.cachalot.security.admin";

    /**
     * Whether {@code caller} may use the management API: a user (by password, access token or a token of this engine,
     * whatever its repository scopes) whose role still grants {@code admin}.
     */
    public Decision decideAdmin(Caller caller) {
        if (caller.principal().anonymous()) return Decision.UNAUTHENTICATED;
        User user = current(accounts.get(), caller.principal());
        if (user == null) return Decision.UNAUTHENTICATED;
        return permits(user, Permission.ADMIN, null) ? Decision.ALLOWED : Decision.DENIED;
    }

    /** Whether {@code caller} is signed in as a user who still exists (or anonymous access is on, when allowed). */
    public Decision decideSignedIn(Caller caller, boolean anonymousAllowed) {
        if (caller.principal().anonymous()) return anonymousAllowed ? Decision.ALLOWED : Decision.UNAUTHENTICATED;
        return current(accounts.get(), caller.principal()) == null ? Decision.UNAUTHENTICATED : Decision.ALLOWED;
    }

    /**
     * A token for {@code caller} with the part of {@code requested} they may have (nothing they may not; unknown
     * resource types dropped), and a refresh token when {@code offline} and the caller is a user.
     */
    public IssuedToken issue(Caller caller, List<Scope> requested, boolean offline) {
        Accounts current = accounts.get();
        User user = caller.principal().anonymous() ? null : current(current, caller.principal());
        List<Scope> granted = new ArrayList<>();
        for (Scope scope : requested) {
            if (!Scope.REPOSITORY.equals(scope.type())) continue;
            Set<String> actions = new LinkedHashSet<>();
            for (Permission p : List.of(Permission.PULL, Permission.PUSH, Permission.DELETE)) {
                boolean asked = scope.actions().contains(p.action()) || scope.actions().contains("*");
                if (!asked) continue;
                boolean allowed = user != null ? permits(user, p, scope.name())
                        : p == Permission.PULL && settings.anonymousPull() && caller.principal().anonymous();
                if (allowed) actions.add(p.action());
            }
            if (!actions.isEmpty()) granted.add(new Scope(scope.type(), scope.name(), actions));
        }
        Instant now = clock.instant();
        String token = issuer.issue(TokenIssuer.Kind.ACCESS, caller.principal(), granted, now);
        String refresh = offline && user != null ? issuer.issue(TokenIssuer.Kind.REFRESH, caller.principal(), List.of(), now) : null;
        return new IssuedToken(token, TokenIssuer.ACCESS_LIFETIME, now, refresh, List.copyOf(granted));
    }

    /** The user a principal stands for, if they (and the access token they used) still exist and it has not expired. */
    private User current(Accounts current, Principal principal) {
        User user = current.user(principal.user());
        if (user == null) return null;
        if (principal.tokenId() != null) {
            AccessToken token = current.token(principal.tokenId());
            if (token == null || !token.user().equals(user.name()) || token.expiredAt(clock.instant())) return null;
        }
        return user;
    }

    private static boolean permits(User user, Permission permission, String repository) {
        if (!user.role().grants(permission)) return false;
        return permission == Permission.ADMIN || user.repositories().matches(repository);
    }

    private static boolean granted(List<Scope> granted, Permission permission, String repository) {
        for (Scope s : granted) {
            if (Scope.REPOSITORY.equals(s.type()) && s.name().equals(repository) && s.actions().contains(permission.action())) {
                return true;
            }
        }
        return false;
    }

    /** Last use is for people deciding which tokens to revoke: minute precision is plenty, and spares a write per request. */
    private void recordUse(String tokenId) {
        Instant now = clock.instant();
        Instant previous = lastUseRecorded.get(tokenId);
        if (previous != null && now.isBefore(previous.plus(LAST_USED_PRECISION))) return;
        lastUseRecorded.put(tokenId, now);
        try {
            store.markUsed(tokenId, now);
        } catch (RuntimeException e) {
            log.debug("cannot record the use of an access token: {}", e.toString());
        }
    }

    /** The key under which a verified login is remembered: an HMAC with a key that never leaves this process. */
    private String remembered(String username, char[] secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(rememberKey);
            mac.update(username.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            ByteBuffer bytes = StandardCharsets.UTF_8.encode(CharBuffer.wrap(secret));
            mac.update(bytes);
            if (bytes.hasArray()) Arrays.fill(bytes.array(), (byte) 0);
            return HexFormat.of().formatHex(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
