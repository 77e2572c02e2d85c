package dev.cachalot.storage;

import dev.cachalot.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Content-addressed blobs: what the registry path reads and writes. Manifests are stored here too, by their digest.
 * Deleting and listing are {@link BlobHousekeeping}'s; what repositories hold which blob is metadata.
 *
 * <p>Visibility: a blob becomes visible only once its digest was verified, all at once: writers fill a temp file
 * and {@link BlobWriter#commit()} moves it into place atomically; content that does not match its digest leaves
 * nothing behind. Concurrency: every method is safe from any number of threads; any number of writers may write the
 * same digest at once, and the first commit wins (the others' commits succeed and leave the same content). Missing
 * blobs are answered with empty results, never exceptions.
 */
public interface BlobStore {

    /** The verified file of {@code digest}, if stored; empty otherwise. The file is never changed once visible. */
    Optional<Path> find(Digest digest);

    /** True if {@code digest} is stored (committed). */
    default boolean contains(Digest digest) {
        return find(digest).isPresent();
    }

    /** Starts writing a blob expected to have {@code digest}; nothing is visible before {@link BlobWriter#commit()}. */
    BlobWriter newWriter(Digest digest) throws IOException;

    /**
     * Starts writing a blob whose size is known ({@code expectedSize >= 0}): the store may reserve the file's length
     * up front, which makes filling it much cheaper on file systems that allocate blocks as a file grows.
     */
    default BlobWriter newWriter(Digest digest, long expectedSize) throws IOException {
        return newWriter(digest);
    }

    /**
     * Stores small content (a manifest) at once, as a writer would: verified, then visible all at once. A no-op if
     * already stored.
     *
     * @throws DigestMismatchException when {@code content} does not have {@code digest}; nothing is stored
     */
    void put(Digest digest, byte[] content) throws IOException;

    /**
     * Stores the whole content of {@code file}, which the caller has already hashed to {@code digest} (a bundle import
     * hashes every blob as it stages it), and takes the file over: it is gone afterwards, stored or not. A store on
     * the file's volume may move it into place instead of writing it again; this default copies it through a
     * {@link #newWriter} that hashes it once more. A no-op (but for deleting the file) if already stored.
     *
     * @throws DigestMismatchException when a copying store finds the content is not {@code digest}; nothing is stored
     */
    default void putVerifiedFile(Digest digest, Path file) throws IOException {
        try {
            if (contains(digest)) return;
            try (BlobWriter writer = newWriter(digest, Files.size(file)); InputStream in = Files.newInputStream(file)) {
                byte[] buffer = new byte[1 << 16];
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    writer.write(ByteBuffer.wrap(buffer, 0, n));
                }
                writer.commit();
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * For a store that keeps blobs away from this node (a bucket) and serves local copies of them: the stored blob as a
     * stream, with the writer of this node's copy, so that a caller can serve the bytes as they arrive instead of
     * waiting for {@link #find} to copy the blob whole. The writer's commit verifies the digest again, and only then is
     * the copy visible (as any writer's). Empty when the blob is not stored, when this node has a copy already, or when
     * the store's blobs are local files anyway (the default): use {@link #find}.
     */
    default Optional<StoredCopy> openCopy(Digest digest) throws IOException {
        return Optional.empty();
    }

    /** A stored blob on its way into this node's copy: read {@link #body()} into {@link #writer()}, then commit. */
    interface StoredCopy extends AutoCloseable {
        /** The blob's size in bytes. */
        long length();

        /** The stored bytes, from the first. */
        java.nio.channels.ReadableByteChannel body();

        /** The writer of this node's copy. */
        BlobWriter writer();

        /** Closes the body and the writer (deleting an uncommitted copy). */
        @Override
        void close();
    }

    /** Reads small content (a manifest) fully; empty if not stored. */
    Optional<byte[]> read(Digest digest) throws IOException;

    /**
     * Where a client may fetch the stored blob itself instead of through the engine (a presigned URL of an object
     * store), if this store offers that and it is turned on; empty otherwise, and for blobs not stored. The address
     * is a credential for a while: it must not be logged.
     */
    default Optional<URI> redirectFor(Digest digest) {
        return Optional.empty();
    }

    /** A blob being written by one thread: bytes are hashed as they arrive. */
    interface BlobWriter extends AutoCloseable {

        /** The temp file; readers may read what was written so far while the writer fills it. */
        Path tempFile();

        /** Appends all of {@code src}. */
        void write(ByteBuffer src) throws IOException;

        /**
         * Appends all of {@code src} like {@link #write}, and takes the buffer over: the writer hands it to
         * {@code release} once it no longer needs its bytes, perhaps later and on another thread (so hashing can
         * overlap the caller's next read). The caller must not touch {@code src} until then. {@code release} is
         * called at most once per buffer; a buffer handed to a writer that then fails or is closed uncommitted may
         * never come back, so callers must not wait for it after that.
         */
        default void writeAndRelease(ByteBuffer src, Consumer<ByteBuffer> release) throws IOException {
            try {
                write(src);
            } finally {
                release.accept(src);
            }
        }

        /** Bytes written so far. */
        long written();

        /**
         * Verifies the digest and makes the blob visible with an atomic move.
         *
         * @throws DigestMismatchException (after deleting the temp file) when the content does not match
         */
        Path commit() throws IOException;

        /** Deletes the temp file unless committed. Idempotent. */
        @Override
        void close();
    }

    /** The content did not have the digest it claimed. */
    class DigestMismatchException extends IOException {
        public DigestMismatchException(Digest expected, Digest actual) {
            super("digest mismatch: expected " + expected + " but content has " + actual);
        }
    }
}
