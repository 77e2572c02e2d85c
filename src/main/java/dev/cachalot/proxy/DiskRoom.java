package dev.cachalot.proxy;

import dev.cachalot.oci.DistributionException;
import dev.cachalot.oci.ErrorCode;
import java.io.File;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * Whether the cache's volume has room for new content. Caching never fills the disk: it keeps a reserve free beyond
 * the content itself, so that the database, the logs and the rest of the machine can still write. The reserve scales
 * with the volume: 1% of it, at most 256 MiB (a fixed 256 MiB refused every blob on a volume of a few hundred MiB;
 * 1% of a 32 MiB volume is 335 KB, and 256 MiB is reached from a 25 GiB volume on). Content that would eat into
 * the reserve is refused with 507 Insufficient Storage, and cached content is still served (see docs/decisions).
 */
public final class DiskRoom {

    static final long MAX_RESERVE = 256L * 1024 * 1024;
    static final int RESERVE_PERCENT = 1;

    private final Path probe;

    /** @param probe a folder on the volume that holds the cache's content (the data folder) */
    public DiskRoom(Path probe) {
        this.probe = probe;
    }

    /** The free space to keep on a volume of {@code totalBytes}. */
    static long reserveFor(long totalBytes) {
        return Math.min(MAX_RESERVE, Math.max(0, totalBytes) / 100 * RESERVE_PERCENT);
    }

    /**
     * @param bytes the size of the content to store (0 when unknown)
     * @throws DistributionException 507 when the content would leave less than the reserve free
     */
    public void require(long bytes, String what) {
        try {
            Space space = Space.of(probe);
            long reserve = reserveFor(space.total());
            if (space.usable() < Math.max(bytes, 0) + reserve) {
                throw full(what, space.usable(), reserve);
            }
        } catch (IOException e) {
            LoggerFactory.getLogger(DiskRoom.class).debug("cannot check free disk space", e);
        }
    }

    /** The free ({@code usable}) and whole ({@code total}) size of the volume holding a path. */
    record Space(long usable, long total) {

        /**
         * java.io.File's calls are one statfs each (~4 us); Files.getFileStore first scans the mount table (0.2-0.9 ms
         * measured, more on machines with many mounts), and this runs before a cold blob's first byte. File's answers
         * 0 on error as well as on a full disk, so a 0 is asked again the NIO way, which throws on error.
         */
        static Space of(Path path) throws IOException {
            File volume = path.toFile();
            long usable = volume.getUsableSpace();
            long total = volume.getTotalSpace();
            if (usable == 0 || total == 0) {
                FileStore store = Files.getFileStore(path);
                usable = store.getUsableSpace();
                total = store.getTotalSpace();
            }
            return new Space(usable, total);
        }
    }

    /** Whether the volume is into its reserve now (after a write failed: was it for want of space?). */
    boolean isShort() {
        try {
            require(0, "");
            return false;
        } catch (DistributionException e) {
            return true;
        }
    }

    /** Whether a failure, or one of its causes, is the file system saying it is out of space. */
    static boolean isNoSpace(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String message = t instanceof FileSystemException fse ? fse.getReason() : t.getMessage();
            if (message != null && (message.contains("No space left") || message.contains("not enough space")
                    || message.contains("Disk quota exceeded"))) {
                return true;
            }
        }
        return false;
    }

    static DistributionException full(String what, long usable, long reserve) {
        return new DistributionException(ErrorCode.UPSTREAM_UNAVAILABLE, 507, "not enough disk space to cache " + what
                + " (" + usable / 1024 + " KiB free, " + reserve / 1024 + " KiB kept in reserve)", null, null);
    }

    static DistributionException full(String what, Throwable cause) {
        return new DistributionException(ErrorCode.UPSTREAM_UNAVAILABLE, 507,
                "not enough disk space to cache " + what + "; nothing was cached", null, cause);
    }
}
