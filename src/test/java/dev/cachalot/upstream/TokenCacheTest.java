package dev.cachalot.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class TokenCacheTest {

    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    private final TokenCache.Key hub = new TokenCache.Key("https://registry-1.docker.io:443", "hub", "repository:library/nginx:pull");

    private static TokenCache at(Instant now) {
        return new TokenCache(Clock.fixed(now, ZoneOffset.UTC));
    }

    @Test
    void keepsATokenUntilShortlyBeforeItExpires() {
        TokenCache cache = at(T0);
        TokenCache.Token t = cache.put(hub, "secret-token", T0, Duration.ofSeconds(300), true);
        assertThat(t.expiresAt()).isEqualTo(T0.plusSeconds(270)); // a tenth of the lifetime as margin
        assertThat(cache.get(hub)).contains(t);
        assertThat(t.toString()).doesNotContain("secret-token");
    }

    @Test
    void forgetsAnExpiredToken() {
        TokenCache cache = at(T0.plusSeconds(3600));
        cache.put(hub, "old", T0, Duration.ofSeconds(3600), true);
        assertThat(cache.get(hub)).isEmpty();
    }

    @Test
    void keepsTokensApartPerCredentialSetAndScope() {
        TokenCache cache = at(T0);
        cache.put(hub, "with-login", T0, Duration.ofSeconds(300), true);
        assertThat(cache.get(new TokenCache.Key(hub.origin(), null, hub.scope()))).isEmpty();
        assertThat(cache.get(new TokenCache.Key(hub.origin(), "hub", "repository:library/redis:pull"))).isEmpty();
    }

    @Test
    void invalidatesOnlyTheTokenThatWasRefused() {
        TokenCache cache = at(T0);
        cache.put(hub, "newer", T0, Duration.ofSeconds(300), true);
        cache.invalidate(hub, "older");
        assertThat(cache.get(hub)).isPresent();
        cache.invalidate(hub, "newer");
        assertThat(cache.get(hub)).isEmpty();
    }
}
