package dev.cachalot.sync;

import dev.cachalot.rules.Upstream;
import dev.cachalot.upstream.RateLimits;
import dev.cachalot.upstream.UpstreamException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * Syncs give way to pulls at an upstream's limits. Before each call, a sync waits while:
 * <ul>
 *   <li>the upstream last announced {@code ratelimit-remaining} at or below {@link #RESERVE} (Docker Hub:
 *       {@code N;w=SECONDS}): until that window has passed since, so the pulls left in it stay for clients;</li>
 *   <li>a call of a sync was refused with 429: for its {@code Retry-After} (a minute without one). The upstream client
 *       has already retried within its own bounds by then.</li>
 * </ul>
 * Waits are capped at {@link #MAX_PAUSE} and end early when the run is stopped. One instance per engine: syncs of
 * several rules share what is known of each upstream.
 */
public final class RateLimitPace implements UpstreamPace {

    /** Pulls left that a sync does not spend: clients' pulls keep them. */
    static final int RESERVE = Integer.getInteger("cachalot.sync.rateLimitReserve", 10);
    static final Duration MAX_PAUSE = Duration.ofHours(6);
    private static final Duration DEFAULT_BACKOFF = Duration.ofMinutes(1);
    private static final long SLICE_MILLIS = 200;

    private final RateLimits limits;
    private final Clock clock;
    private final Map<URI, Instant> backoffUntil = new ConcurrentHashMap<>();

    public RateLimitPace(RateLimits limits, Clock clock) {
        this.limits = limits;
        this.clock = clock;
    }

    @Override
    public String beforeCall(Upstream upstream, BooleanSupplier stop) {
        Instant now = clock.instant();
        Instant until = null;
        String reason = null;
        Instant backoff = backoffUntil.get(upstream.endpoint());
        if (backoff != null && backoff.isAfter(now)) {
            until = backoff;
            reason = "it answered 429 Too Many Requests";
        }
        Optional<RateLimits.Remaining> last = limits.last(upstream.endpoint());
        if (last.isPresent() && last.get().remaining() <= RESERVE && last.get().window() != null) {
            Instant refilled = last.get().seenAt().plus(last.get().window());
            if (refilled.isAfter(now) && (until == null || refilled.isAfter(until))) {
                until = refilled;
                reason = "its rate limit had " + last.get().remaining() + " pulls left (ratelimit-remaining), kept for clients";
            }
        }
        if (until == null) return null;
        Instant capped = now.plus(MAX_PAUSE).isBefore(until) ? now.plus(MAX_PAUSE) : until;
        Instant started = now;
        while (clock.instant().isBefore(capped) && !stop.getAsBoolean()) {
            try {
                Thread.sleep(Math.max(1, Math.min(SLICE_MILLIS, Duration.between(clock.instant(), capped).toMillis())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        long waited = Duration.between(started, clock.instant()).toMillis();
        return "paused " + waited + " ms before calling " + upstream.loginServer() + ": " + reason;
    }

    @Override
    public void after(Upstream upstream, UpstreamException failure) {
        if (failure.kind() != UpstreamException.Kind.RATE_LIMITED) return;
        Duration wait = failure.retryAfterSeconds() == null ? DEFAULT_BACKOFF : Duration.ofSeconds(failure.retryAfterSeconds());
        backoffUntil.merge(upstream.endpoint(), clock.instant().plus(wait), (a, b) -> a.isAfter(b) ? a : b);
    }
}
