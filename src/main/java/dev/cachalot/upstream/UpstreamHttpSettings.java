package dev.cachalot.upstream;

import java.time.Duration;

/**
 * Timeouts and retry policy of the upstream client.
 *
 * @param connectTimeout   TCP + TLS connect
 * @param readTimeout      the longest silence while reading a response (there is no whole-call limit: blobs can
 *                         be gigabytes)
 * @param manifestCallTimeout the whole-call limit for manifest, tag and token requests, which are small
 */
public record UpstreamHttpSettings(Duration connectTimeout, Duration readTimeout, Duration manifestCallTimeout,
                                   RetryPolicy retryPolicy) {

    public static UpstreamHttpSettings defaults() {
        return new UpstreamHttpSettings(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(120),
                RetryPolicy.defaults());
    }

    public UpstreamHttpSettings withRetryPolicy(RetryPolicy policy) {
        return new UpstreamHttpSettings(connectTimeout, readTimeout, manifestCallTimeout, policy);
    }

    public UpstreamHttpSettings withReadTimeout(Duration timeout) {
        return new UpstreamHttpSettings(connectTimeout, timeout, manifestCallTimeout, retryPolicy);
    }
}
