package dev.cachalot.storage;

import dev.cachalot.oci.Digest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The S3 blob store's copies of bucket objects in this node's data folder, kept within a bound in bytes: past it, the
 * least recently used copies go first. A copy is only a cache of the bucket, so deleting one costs a download the next
 * time it is served, never content.
 *
 * <p>Never deleted: a copy a client of this node is reading ({@code beingRead}, the engine's read marks; the open file
 * would survive its deletion on Linux, but a second request for it, a {@code Range} resume, would download it again);
 * and the copy just added, which its caller is about to serve, even when it alone is larger than the bound. A copy is
 * counted only once the bucket has the blob: a writer's local file before its upload completed is not a copy yet, and
 * never evicted. Recency is kept in memory; at start the copies found are ordered by their files' times.
 */
final class LocalCopies {

    private static final Logger log = LoggerFactory.getLogger(LocalCopies.class);

    private final FileBlobStore files;
    private final long bound;
    /** Sizes in access order: the eldest entry is the least recently used copy. */
    private final LinkedHashMap<Digest, Long> sizes = new LinkedHashMap<>(64, 0.75f, true);
    private long total;
    private volatile Predicate<Digest> beingRead = d -> false;

    /** The copies {@code files} holds now, bounded by {@code bound} bytes. */
    LocalCopies(FileBlobStore files, long bound) throws IOException {
        this.files = files;
        this.bound = bound;
        List<BlobHousekeeping.StoredBlob> found = new ArrayList<>();
        files.forEachBlob(found::add);
        found.sort(Comparator.comparing(BlobHousekeeping.StoredBlob::committedAt));
        for (BlobHousekeeping.StoredBlob blob : found) {
            sizes.put(blob.digest(), blob.size());
            total += blob.size();
        }
    }

    /** Copies for which {@code test} is true are never deleted (the ones this node's clients are reading). */
    void keep(Predicate<Digest> test) {
        this.beingRead = test;
    }

    /**
     * The local copy of {@code digest}, if there is one, counted as used. Looked up under the same lock as evictions
     * delete: a reader marks its read before it looks, so an eviction either saw the mark and kept the copy, or
     * deleted it before the look, which then finds nothing (and the blob is downloaded again).
     */
    synchronized java.util.Optional<java.nio.file.Path> find(Digest digest) {
        java.util.Optional<java.nio.file.Path> file = files.find(digest);
        if (file.isPresent()) sizes.get(digest);
        return file;
    }

    /** A copy was made (a download, or a write the bucket now has); deletes others while the copies are over the bound. */
    synchronized void added(Digest digest, long size) {
        Long before = sizes.put(digest, size);
        total += size - (before == null ? 0 : before);
        int evicted = 0;
        for (Iterator<Map.Entry<Digest, Long>> eldest = sizes.entrySet().iterator(); total > bound && eldest.hasNext(); ) {
            Map.Entry<Digest, Long> e = eldest.next();
            if (e.getKey().equals(digest) || beingRead.test(e.getKey())) continue;
            try {
                files.delete(e.getKey());
            } catch (IOException failure) {
                log.warn("Cannot delete the local copy of {}: {}", e.getKey(), failure.getMessage());
                continue;
            }
            eldest.remove();
            total -= e.getValue();
            evicted++;
        }
        if (evicted > 0) {
            log.debug("Deleted {} local cop(ies) of bucket blobs to stay within {} bytes", evicted, bound);
        }
    }

    /** The copy is gone (the blob was deleted). */
    synchronized void removed(Digest digest) {
        Long size = sizes.remove(digest);
        if (size != null) total -= size;
    }

    /** Bytes of the copies counted now. */
    synchronized long bytes() {
        return total;
    }

    /** Whether a copy of {@code digest} is counted (tests). */
    synchronized boolean holds(Digest digest) {
        return sizes.containsKey(digest);
    }
}
