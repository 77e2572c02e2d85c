package dev.cachalot.upstream;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bearer tokens per (upstream origin, credential set or anonymous, scope), kept until shortly before they expire
 * so a pull of many blobs asks the token realm once. Tokens never leave this class except into an
 * {@code Authorization} header; {@link Token#toString()} hides them.
 */
final class TokenCache {

    /** Tokens are dropped this long before their stated expiry (at most a tenth of their lifetime). */
    static final Duration MAX_MARGIN = Duration.ofSeconds(30);
    private static final int SWEEP_ABOVE = 1_000;

    /** @param credentialSet null for anonymous */
    record Key(String origin, String credentialSet, String scope) {
    }

    /** @param withCredentials the realm saw the credential set's login (false: an anonymous token) */
    record Token(String value, Instant expiresAt, boolean withCredentials) {
        @Override
        public String toString() {
            return "Token[***, expiresAt=" + expiresAt + ", withCredentials=" + withCredentials + "]";
        }
    }

    private final Map<Key, Token> tokens = new ConcurrentHashMap<>();
    private final Clock clock;

    TokenCache(Clock clock) {
        this.clock = clock;
    }

    Optional<Token> get(Key key) {
        Token t = tokens.get(key);
        if (t == null) return Optional.empty();
        if (!clock.instant().isBefore(t.expiresAt())) {
            tokens.remove(key, t);
            return Optional.empty();
        }
        return Optional.of(t);
    }

    /** Stores a token valid for {@code lifetime} from {@code issuedAt}, minus a safety margin. */
    Token put(Key key, String value, Instant issuedAt, Duration lifetime, boolean withCredentials) {
        Duration margin = lifetime.dividedBy(10);
        if (margin.compareTo(MAX_MARGIN) > 0) margin = MAX_MARGIN;
        Token token = new Token(value, issuedAt.plus(lifetime).minus(margin), withCredentials);
        if (tokens.size() > SWEEP_ABOVE) {
            Instant now = clock.instant();
            tokens.values().removeIf(t -> !now.isBefore(t.expiresAt()));
        }
        tokens.put(key, token);
        return token;
    }

    /** Forgets the token if it is still the one given (an upstream refused it). */
    void invalidate(Key key, String value) {
        tokens.computeIfPresent(key, (k, t) -> Objects.equals(t.value(), value) ? null : t);
    }

    Instant now() {
        return clock.instant();
    }
}
