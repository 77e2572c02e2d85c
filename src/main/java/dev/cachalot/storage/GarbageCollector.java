package dev.cachalot.storage;

import dev.cachalot.oci.Digest;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes blob files that no repository references any more: the marks are the digests in {@code blob_links} and
 * {@code manifests}; the sweep walks {@code blobs/} and deletes unmarked files older than a grace period.
 *
 * <p>The grace period protects a blob that was just committed but whose link is not recorded yet. A blob that is
 * re-linked by a concurrent pull between the check and the delete can still be lost; for cached repositories the
 * next pull fetches it again, so run collection when pulls are quiet (the engine does it at start or on request).
 */
public final class GarbageCollector {

    private static final Logger log = LoggerFactory.getLogger(GarbageCollector.class);

    public static final Duration DEFAULT_GRACE = Duration.ofHours(1);
    private static final int CHUNK = 1_000;
    private static final Set<String> ALGORITHMS = Set.of("sha256", "sha512");

    /** What one collection did. */
    public record Result(int examined, int deleted, long bytesFreed) {
    }

    private final Path blobs;
    private final BlobStore store;
    private final ManifestIndex index;
    private final Duration grace;
    private final Clock clock;

    public GarbageCollector(DataFolder folder, BlobStore store, ManifestIndex index, Duration grace, Clock clock) {
        this.blobs = folder.blobs();
        this.store = store;
        this.index = index;
        this.grace = grace;
        this.clock = clock;
    }

    public GarbageCollector(DataFolder folder, BlobStore store, ManifestIndex index) {
        this(folder, store, index, DEFAULT_GRACE, Clock.systemUTC());
    }

    /** Runs one mark-and-sweep over the blob folder. */
    public Result collect() throws IOException {
        Instant cutoff = clock.instant().minus(grace);
        int examined = 0;
        int deleted = 0;
        long freed = 0;
        Map<Digest, Long> batch = new HashMap<>();
        for (String algorithm : ALGORITHMS) {
            Path algorithmDir = blobs.resolve(algorithm);
            if (!Files.isDirectory(algorithmDir)) continue;
            try (DirectoryStream<Path> prefixes = Files.newDirectoryStream(algorithmDir)) {
                for (Path prefix : prefixes) {
                    if (!Files.isDirectory(prefix)) continue;
                    try (DirectoryStream<Path> files = Files.newDirectoryStream(prefix)) {
                        for (Path file : files) {
                            Digest digest = digestOf(algorithm, prefix, file);
                            if (digest == null) continue;
                            examined++;
                            BasicFileAttributes attrs = attributes(file);
                            if (attrs == null || attrs.lastModifiedTime().toInstant().isAfter(cutoff)) continue;
                            batch.put(digest, attrs.size());
                            if (batch.size() >= CHUNK) {
                                long[] r = sweep(batch);
                                deleted += (int) r[0];
                                freed += r[1];
                                batch.clear();
                            }
                        }
                    }
                }
            }
        }
        long[] r = sweep(batch);
        deleted += (int) r[0];
        freed += r[1];
        if (deleted > 0) {
            log.info("Garbage collection removed {} unreferenced blob(s), {} bytes", deleted, freed);
        }
        return new Result(examined, deleted, freed);
    }

    /** Deletes the unreferenced ones among {@code candidates}; returns {deleted, bytes}. */
    private long[] sweep(Map<Digest, Long> candidates) throws IOException {
        if (candidates.isEmpty()) return new long[2];
        long deleted = 0;
        long bytes = 0;
        for (Digest d : index.unreferencedBlobs(new ArrayList<>(candidates.keySet()))) {
            if (store.delete(d)) {
                deleted++;
                bytes += candidates.get(d);
            }
        }
        return new long[]{deleted, bytes};
    }

    /** The digest a stored file stands for, or null for anything that is not a well-placed blob file. */
    private static Digest digestOf(String algorithm, Path prefix, Path file) {
        String hex = file.getFileName().toString();
        if (!hex.startsWith(prefix.getFileName().toString()) || prefix.getFileName().toString().length() != 2) {
            return null;
        }
        try {
            return new Digest(algorithm, hex);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static BasicFileAttributes attributes(Path file) throws IOException {
        try {
            BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
            return attrs.isRegularFile() ? attrs : null;
        } catch (NoSuchFileException e) {
            return null;
        }
    }
}
