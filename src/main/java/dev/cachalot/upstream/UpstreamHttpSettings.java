package dev.cachalot.upstream;

import java.time.Duration;

/**
 * Timeouts, retry policy and circuit breaker of the upstream client.
 *
 * @param connectTimeout      TCP + TLS connect
 * @param readTimeout         the longest silence while reading a response (there is no whole-call limit: blobs can
 *                            be gigabytes)
 * @param manifestCallTimeout the whole-call limit for manifest, tag and token requests, which are small
 * @param revalidationTimeout the whole-call limit for a manifest HEAD, which revalidates a copy the cache already
 *                            has: past it the cached tag is served stale rather than keeping the client waiting
 * @param breakerPause        how long an upstream that timed out is left alone before one probe asks it again
 *                            ({@code Retry-After} sets its own pause)
 */
public record UpstreamHttpSettings(Duration connectTimeout, Duration readTimeout, Duration manifestCallTimeout,
                                   RetryPolicy retryPolicy, Duration revalidationTimeout, Duration breakerPause) {

    /** System property overriding the default revalidation deadline, in milliseconds. */
    public static final String REVALIDATION_TIMEOUT_PROPERTY = "cachalot.upstream.revalidationTimeoutMs";
    /** System property overriding the default breaker pause, in milliseconds. */
    public static final String BREAKER_PAUSE_PROPERTY = "cachalot.upstream.breakerPauseMs";

    public UpstreamHttpSettings(Duration connectTimeout, Duration readTimeout, Duration manifestCallTimeout,
                                RetryPolicy retryPolicy) {
        this(connectTimeout, readTimeout, manifestCallTimeout, retryPolicy,
                Duration.ofMillis(Long.getLong(REVALIDATION_TIMEOUT_PROPERTY, 3_000)),
                Duration.ofMillis(Long.getLong(BREAKER_PAUSE_PROPERTY, 15_000)));
    }

    public static UpstreamHttpSettings defaults() {
        return new UpstreamHttpSettings(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(120),
                RetryPolicy.defaults());
    }

    public UpstreamHttpSettings withRetryPolicy(RetryPolicy policy) {
        return new UpstreamHttpSettings(connectTimeout, readTimeout, manifestCallTimeout, policy, revalidationTimeout,
                breakerPause);
    }

    public UpstreamHttpSettings withReadTimeout(Duration timeout) {
        return new UpstreamHttpSettings(connectTimeout, timeout, manifestCallTimeout, retryPolicy, revalidationTimeout,
                breakerPause);
    }

    public UpstreamHttpSettings withRevalidationTimeout(Duration timeout) {
        return new UpstreamHttpSettings(connectTimeout, readTimeout, manifestCallTimeout, retryPolicy, timeout,
                breakerPause);
    }

    public UpstreamHttpSettings withBreakerPause(Duration pause) {
        return new UpstreamHttpSettings(connectTimeout, readTimeout, manifestCallTimeout, retryPolicy,
                revalidationTimeout, pause);
    }
}
