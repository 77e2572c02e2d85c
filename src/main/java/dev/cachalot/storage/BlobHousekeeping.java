package dev.cachalot.storage;

import dev.cachalot.oci.Digest;
import java.io.IOException;
import java.time.Instant;

/**
 * Upkeep of the blob store, apart from serving: listing what is stored and deleting it (garbage collection), and
 * clearing what writers left behind (at start).
 */
public interface BlobHousekeeping {

    /** A stored blob: its digest, its size in bytes, and when it was committed. */
    record StoredBlob(Digest digest, long size, Instant committedAt) {
    }

    /** Receives stored blobs one by one; may throw to stop the listing. */
    @FunctionalInterface
    interface BlobVisitor {
        void visit(StoredBlob blob) throws IOException;
    }

    /**
     * Hands every committed blob to {@code visitor}, in no particular order; temp files of writers in progress are
     * never listed. The visitor may {@link #delete} the blob it was given (and any already listed). Blobs committed or
     * deleted by others while the listing runs may or may not be seen.
     */
    void forEachBlob(BlobVisitor visitor) throws IOException;

    /**
     * Deletes a committed blob. True if it existed; false, changing nothing, if it did not. Safe from any thread;
     * a reader that already holds the blob keeps what it has.
     */
    boolean delete(Digest digest) throws IOException;

    /**
     * Removes what writers left behind (a crash, an aborted fetch) and returns how many. Call at start only, before
     * anyone writes: it removes the temp files of writers in progress too.
     */
    int sweepTemp() throws IOException;
}
