package dev.cachalot.upstream;

import java.time.Duration;

/**
 * Timeouts, retry policy and circuit breaker of the upstream client.
 *
 * @param connectTimeout        TCP + TLS connect
 * @param readTimeout           the longest silence while reading a response (there is no whole-call limit: blobs
 *                              can be gigabytes)
 * @param manifestCallTimeout   the whole-call limit for manifest, tag and token requests, which are small
 * @param revalidationTimeout   the whole-call limit for a manifest HEAD, which revalidates a copy the cache already
 *                              has: past it the cached tag is served stale rather than keeping the client waiting
 * @param breakerPause          how long an upstream that timed out is left alone before one probe asks it again
 *                              ({@code Retry-After} sets its own pause)
 * @param maxWaitingPerUpstream how many requests may wait on one upstream's answer at once; more fail at once, so
 *                              that a hung upstream cannot hold every worker of the registry (256)
 * @param blobPace              the deadline for a blob's response headers and the minimum rate of its body, which
 *                              together bound a blob download that trickles (it has no whole-call limit)
 */
public record UpstreamHttpSettings(Duration connectTimeout, Duration readTimeout, Duration manifestCallTimeout,
                                   RetryPolicy retryPolicy, Duration revalidationTimeout, Duration breakerPause,
                                   int maxWaitingPerUpstream, BlobPace blobPace) {

    /** System property overriding the default revalidation deadline, in milliseconds. */
    public static final String REVALIDATION_TIMEOUT_PROPERTY = "cachalot.upstream.revalidationTimeoutMs";
    /** System property overriding the default breaker pause, in milliseconds. */
    public static final String BREAKER_PAUSE_PROPERTY = "cachalot.upstream.breakerPauseMs";
    /** System property overriding the default bound on requests waiting on one upstream. */
    public static final String MAX_WAITING_PROPERTY = "cachalot.upstream.maxWaiting";
    /** System property overriding the default whole-call limit of manifest, tag and token requests, in milliseconds. */
    public static final String CALL_TIMEOUT_PROPERTY = "cachalot.upstream.callTimeoutMs";

    public UpstreamHttpSettings(Duration connectTimeout, Duration readTimeout, Duration manifestCallTimeout,
                                RetryPolicy retryPolicy) {
        this(connectTimeout, readTimeout, manifestCallTimeout, retryPolicy,
                Duration.ofMillis(Long.getLong(REVALIDATION_TIMEOUT_PROPERTY, 3_000)),
                Duration.ofMillis(Long.getLong(BREAKER_PAUSE_PROPERTY, 15_000)),
                Integer.getInteger(MAX_WAITING_PROPERTY, 64), BlobPace.defaults());
    }

    /**
     * The defaults: 30 s for a whole manifest, tag or token exchange (answers of at most a few MiB; past that an
     * upstream is too sick to wait for, and a cached tag is served stale long before), and {@link BlobPace#defaults()}.
     */
    public static UpstreamHttpSettings defaults() {
        return new UpstreamHttpSettings(Duration.ofSeconds(10), Duration.ofSeconds(60),
                Duration.ofMillis(Long.getLong(CALL_TIMEOUT_PROPERTY, 30_000)), RetryPolicy.defaults());
    }

    public UpstreamHttpSettings withRetryPolicy(RetryPolicy policy) {
        return new UpstreamHttpSettings(connectTimeout, readTimeout, manifestCallTimeout, policy, revalidationTimeout,
                breakerPause, maxWaitingPerUpstream, blobPace);
    }

    public UpstreamHttpSettings withReadTimeout(Duration timeout) {
        return new UpstreamHttpSettings(connectTimeout, timeout, manifestCallTimeout, retryPolicy, revalidationTimeout,
                breakerPause, maxWaitingPerUpstream, blobPace);
    }

    public UpstreamHttpSettings withRevalidationTimeout(Duration timeout) {
        return new UpstreamHttpSettings(connectTimeout, readTimeout, manifestCallTimeout, retryPolicy, timeout,
                breakerPause, maxWaitingPerUpstream, blobPace);
    }

    public UpstreamHttpSettings withBreakerPause(Duration pause) {
        return new UpstreamHttpSettings(connectTimeout, readTimeout, manifestCallTimeout, retryPolicy,
                revalidationTimeout, pause, maxWaitingPerUpstream, blobPace);
    }

    public UpstreamHttpSettings withMaxWaitingPerUpstream(int max) {
        return new UpstreamHttpSettings(connectTimeout, readTimeout, manifestCallTimeout, retryPolicy,
                revalidationTimeout, breakerPause, max, blobPace);
    }

    public UpstreamHttpSettings withManifestCallTimeout(Duration timeout) {
        return new UpstreamHttpSettings(connectTimeout, readTimeout, timeout, retryPolicy, revalidationTimeout,
                breakerPause, maxWaitingPerUpstream, blobPace);
    }

    public UpstreamHttpSettings withBlobPace(BlobPace pace) {
        return new UpstreamHttpSettings(connectTimeout, readTimeout, manifestCallTimeout, retryPolicy,
                revalidationTimeout, breakerPause, maxWaitingPerUpstream, pace);
    }
}
