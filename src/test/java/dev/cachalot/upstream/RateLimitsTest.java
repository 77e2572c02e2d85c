package dev.cachalot.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.testing.MutableClock;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RateLimitsTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final RateLimits limits = new RateLimits(clock);

    @Test
    void readsDockerHubsRemainingAndWindowPerOrigin() {
        limits.observe("https", "registry-1.docker.io", 443, "76;w=21600");

        RateLimits.Remaining seen = limits.last(URI.create("https://registry-1.docker.io")).orElseThrow();
        assertThat(seen.remaining()).isEqualTo(76);
        assertThat(seen.window()).isEqualTo(Duration.ofHours(6));
        assertThat(seen.seenAt()).isEqualTo(clock.instant());
        assertThat(limits.last(URI.create("https://ghcr.io"))).isEmpty();
        assertThat(limits.last(URI.create("http://registry-1.docker.io"))).isEmpty();
    }

    @Test
    void aHeaderWithoutWindowOrGarbageIsReadAsFarAsItGoes() {
        limits.observe("http", "127.0.0.1", 5000, "5");
        assertThat(limits.last(URI.create("http://127.0.0.1:5000")).orElseThrow().window()).isNull();

        limits.observe("http", "127.0.0.1", 5000, "lots");
        limits.observe("http", "127.0.0.1", 5000, null);
        assertThat(limits.last(URI.create("http://127.0.0.1:5000")).orElseThrow().remaining()).isEqualTo(5);
    }
}
