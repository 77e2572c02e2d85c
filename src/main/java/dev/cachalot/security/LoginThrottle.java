package dev.cachalot.security;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Failed logins per client address, as a token bucket: {@value #BURST} failures in a row are free, then one more every
 * {@value #REFILL_SECONDS} seconds. An address whose bucket is empty is answered 429 with {@code Retry-After} and its
 * password is not even checked, so guessing runs at ten tries a minute at best and costs the server no bcrypt work.
 * Successful logins cost nothing. A person who mistypes a few times never notices; a script guessing does.
 */
public final class LoginThrottle {
    static final int BURST = 10;
    static final long REFILL_SECONDS = 6;
    /** Beyond this many addresses, the ones whose bucket refilled are forgotten (they are as good as new). */
    private static final int MAX_TRACKED = 10_000;
    private static final long REFILL_NANOS = REFILL_SECONDS * 1_000_000_000L;

    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    public LoginThrottle() {
        this(System::nanoTime);
    }

    LoginThrottle(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** Seconds the address must wait before its next login attempt, or 0 when it may try now. */
    public long waitSeconds(String address) {
        Bucket b = buckets.get(address);
        if (b == null) return 0;
        synchronized (b) {
            b.refill(nanoTime.getAsLong());
            if (b.tokens >= 1) return 0;
            long missing = REFILL_NANOS - (nanoTime.getAsLong() - b.stamp);
            return Math.max(1, (missing + 999_999_999L) / 1_000_000_000L);
        }
    }

    /** Counts one failed login from {@code address}; returns the failures left before it must wait. */
    public int failed(String address) {
        if (buckets.size() > MAX_TRACKED) forgetRefilled();
        Bucket b = buckets.computeIfAbsent(address, a -> new Bucket(nanoTime.getAsLong()));
        synchronized (b) {
            b.refill(nanoTime.getAsLong());
            b.tokens = Math.max(0, b.tokens - 1);
            return (int) b.tokens;
        }
    }

    private void forgetRefilled() {
        long now = nanoTime.getAsLong();
        buckets.entrySet().removeIf(e -> {
            synchronized (e.getValue()) {
                e.getValue().refill(now);
                return e.getValue().tokens >= BURST;
            }
        });
    }

    private static final class Bucket {
        long tokens = BURST;
        long stamp;

        Bucket(long now) {
            stamp = now;
        }

        void refill(long now) {
            long earned = (now - stamp) / REFILL_NANOS;
            if (earned > 0) {
                tokens = Math.min(BURST, tokens + earned);
                stamp = tokens == BURST ? now : stamp + earned * REFILL_NANOS;
            }
        }
    }
}
