package dev.cachalot.registry;

import java.time.Duration;

/**
 * What one client may hold of the server (see docs/decisions/0006-slow-clients-and-upload-bounds.md).
 *
 * @param connectionsPerAddress open connections one remote address may hold; more are closed as they arrive
 * @param minBodyBytesPerSecond the slowest a request body may arrive, averaged over each {@code bodyRateWindow};
 *                              a body slower than that (or stalled) is cut and its connection closed
 * @param bodyRateWindow        how long a body may fall behind before it is cut
 */
public record ServerLimits(int connectionsPerAddress, long minBodyBytesPerSecond, Duration bodyRateWindow) {

    /**
     * 128 connections per address: half the handler pool, so even requests that each held a thread could not take
     * them all from one address; still far above what real clients open (docker pulls 3 layers at a time, skopeo 6,
     * and the benchmark's busiest workload 64). 1 KiB/s over 20 s: a dial-up link passes, a trickle of a byte per
     * second is cut within 20 s.
     */
    public static final ServerLimits DEFAULT = new ServerLimits(128, 1024, Duration.ofSeconds(20));

    public ServerLimits {
        if (connectionsPerAddress < 1 || minBodyBytesPerSecond < 0 || bodyRateWindow.isNegative() || bodyRateWindow.isZero()) {
            throw new IllegalArgumentException("invalid server limits");
        }
    }

    /** Bytes a body must deliver in each window. */
    long minBytesPerWindow() {
        return minBodyBytesPerSecond * bodyRateWindow.toMillis() / 1000;
    }
}
