package dev.cachalot.sync;

/**
 * A ceiling on the upstream bytes per second that the syncs of an engine take together, so that a rule's sync leaves
 * the link to clients' pulls. A blob itself downloads at the link's pace (its download is shared with any pull of the
 * same blob, which must not be slowed); the sync then waits before its next call long enough to bring its average
 * back under the ceiling. {@code cachalot.sync.maxBytesPerSecond}: 32 MiB/s unless set, 0 for none.
 */
final class SyncBandwidth {

    static final long DEFAULT_BYTES_PER_SECOND = Long.getLong("cachalot.sync.maxBytesPerSecond", 32L * 1024 * 1024);

    private final long bytesPerSecond;
    /** When the bytes taken so far are paid for (System.nanoTime), shared by every run. */
    private long paidUntil = System.nanoTime();

    SyncBandwidth(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
    }

    /** Books {@code bytes} just downloaded; returns how long (nanoseconds) the caller should wait before its next call. */
    synchronized long take(long bytes) {
        if (bytesPerSecond <= 0 || bytes <= 0) return 0;
        long now = System.nanoTime();
        // Idle time is not banked beyond a second: a burst after a quiet hour must not take the link for minutes.
        paidUntil = Math.max(paidUntil, now - 1_000_000_000L) + bytes * 1_000_000_000L / bytesPerSecond;
        return Math.max(0, paidUntil - now);
    }
}
