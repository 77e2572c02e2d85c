package dev.cachalot.upstream;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How often and how long the upstream client retries a failed request: jittered exponential backoff,
 * bounded in attempts and in the total time spent waiting. The {@link Sleeper} is injectable so tests run
 * without real waits.
 *
 * @param maxAttempts   attempts in all, the first included (1 = no retry)
 * @param baseDelay     the delay before the second attempt, doubled for each further one (before jitter)
 * @param maxTotalDelay the most the client waits in all for one request; a {@code Retry-After} beyond what is
 *                      left of it ends the retries at once
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxTotalDelay, Sleeper sleeper) {

    /** Waits between attempts. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    public static final Sleeper THREAD_SLEEP = d -> Thread.sleep(d.toMillis());

    public RetryPolicy {
        if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be at least 1");
    }

    /** 3 attempts, 200 ms base delay, at most 10 s of waiting in all. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(3, Duration.ofMillis(200), Duration.ofSeconds(10), THREAD_SLEEP);
    }

    public RetryPolicy withSleeper(Sleeper sleeper) {
        return new RetryPolicy(maxAttempts, baseDelay, maxTotalDelay, sleeper);
    }

    /** The backoff before attempt {@code attempt + 1} (attempt counts from 1): half fixed, half random. */
    Duration backoff(int attempt) {
        long exp = baseDelay.toMillis() << Math.min(attempt - 1, 20);
        long half = exp / 2;
        return Duration.ofMillis(half + (half > 0 ? ThreadLocalRandom.current().nextLong(half + 1) : 0));
    }
}
