package dev.cachalot.upstream;

import java.time.Duration;

/**
 * How slow a blob download may be before it is given up. A blob has no whole-call deadline (it may be gigabytes on a
 * slow link), and the read timeout only catches silence: an upstream that sends a byte a second never trips it. So
 * the response headers must arrive within {@code headersTimeout}, and the body must then average at least
 * {@code minBytesPerSecond} over every {@code window}. A download given up this way fails like a broken connection:
 * the fill resumes it a bounded number of times, then the client gets an error and nothing is cached.
 *
 * @param headersTimeout    from sending the request (retries and the token flow included) to the response headers
 * @param minBytesPerSecond the least average rate of the body over a window
 * @param window            the sliding window the rate is measured over; the first window starts with the headers
 */
public record BlobPace(Duration headersTimeout, long minBytesPerSecond, Duration window) {

    /** System property overriding the default headers deadline, in milliseconds. */
    public static final String HEADERS_TIMEOUT_PROPERTY = "cachalot.upstream.blobHeadersTimeoutMs";
    /** System property overriding the default minimum rate, in bytes per second. */
    public static final String MIN_RATE_PROPERTY = "cachalot.upstream.blobMinBytesPerSecond";
    /** System property overriding the default rate window, in milliseconds. */
    public static final String WINDOW_PROPERTY = "cachalot.upstream.blobRateWindowMs";

    public BlobPace {
        if (headersTimeout.isNegative() || headersTimeout.isZero() || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("the headers deadline and the rate window must be positive");
        }
        if (minBytesPerSecond < 0) throw new IllegalArgumentException("the minimum rate must not be negative");
    }

    /**
     * 30 s for the headers (as for a manifest), and 1 KiB/s over 30 s: far below any link a person would pull an
     * image over (a 64 kbit/s line does 8 KiB/s), yet it ends a byte-a-second trickle within a minute.
     */
    public static BlobPace defaults() {
        return new BlobPace(Duration.ofMillis(Long.getLong(HEADERS_TIMEOUT_PROPERTY, 30_000)),
                Long.getLong(MIN_RATE_PROPERTY, 1024), Duration.ofMillis(Long.getLong(WINDOW_PROPERTY, 30_000)));
    }

    /** The bytes a window must bring at least. */
    long minBytesPerWindow() {
        return minBytesPerSecond * window.toMillis() / 1000;
    }
}
