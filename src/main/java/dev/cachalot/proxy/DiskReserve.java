package dev.cachalot.proxy;

import dev.cachalot.oci.DistributionException;
import dev.cachalot.oci.ErrorCode;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The free space kept on the data volume, in two tiers (see docs/decisions/0006-slow-clients-and-upload-bounds.md):
 * nothing may go below the fill reserve ({@link DiskRoom#reserveFor}: 1% of the volume, at most 256 MiB, which cold
 * fills keep too), and pushes must also leave the cache's share free, so that anonymous
 * pushes filling the volume still leave cold fills room to cache what clients pull.
 */
final class DiskReserve {

    private static final Logger log = LoggerFactory.getLogger(DiskReserve.class);
    private static final long MIB = 1024 * 1024;

    /** The most the cache's share takes from pushes, however large the volume: 10 GiB hold a good many layers. */
    static final long MAX_CACHE_SHARE = 10L * 1024 * MIB;

    private final Path probe;

    /** @param probe a folder on the data volume */
    DiskReserve(Path probe) {
        this.probe = probe;
    }

    /** The share of a volume of {@code totalBytes} that pushes cannot take: 5% of it, at most {@link #MAX_CACHE_SHARE}. */
    static long cacheShare(long totalBytes) {
        return Math.min(totalBytes / 20, MAX_CACHE_SHARE);
    }

    /** What a push must leave free on a volume of {@code totalBytes}. */
    static long pushFloor(long totalBytes) {
        return DiskRoom.reserveFor(totalBytes) + cacheShare(totalBytes);
    }

    /**
     * Refuses (507) a push that would write {@code bytes} more when that leaves less than the push floor free. When
     * the space cannot be read the push goes ahead: a full disk still fails the write itself.
     */
    void requireRoomForPush(long bytes) {
        DiskRoom.Space space;
        try {
            space = DiskRoom.Space.of(probe);
        } catch (IOException e) {
            log.debug("cannot check free disk space", e);
            return;
        }
        long usable = space.usable();
        long floor = pushFloor(space.total());
        if (usable - bytes < floor) {
            throw new DistributionException(ErrorCode.DENIED, 507, "not enough disk space for this push: pushes leave "
                    + floor / MIB + " MiB free for cached content, and " + usable / MIB + " MiB are free", null, null);
        }
    }
}
