package dev.cachalot.proxy;

import java.time.Duration;

/**
 * Bounds on blob upload sessions (see docs/decisions/0006-slow-clients-and-upload-bounds.md).
 *
 * @param idleExpiry how long an untouched session lives before it and its temp file are removed
 * @param perClient  open sessions one client address may hold
 * @param total      open sessions altogether
 */
public record UploadLimits(Duration idleExpiry, int perClient, int total) {

    /**
     * Ten minutes idle: a pushing client sends its chunks back to back, so a session silent that long was abandoned.
     * 32 per client: docker pushes 5 layers at a time, skopeo a few more; 32 leaves room for several parallel pushes
     * from one CI host while a leaking client holds at most 1/32 of the 1,024 altogether.
     */
    public static final UploadLimits DEFAULT = new UploadLimits(Duration.ofMinutes(10), 32, 1024);

    public UploadLimits {
        if (idleExpiry.isNegative() || idleExpiry.isZero() || perClient < 1 || total < perClient) {
            throw new IllegalArgumentException("invalid upload limits");
        }
    }
}
