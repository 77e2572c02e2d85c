package dev.cachalot.bundle;

import dev.cachalot.oci.Digest;
import dev.cachalot.oci.DistributionException;
import dev.cachalot.proxy.DiskRoom;
import dev.cachalot.storage.BlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * A bundle's tar read once, front to back: every blob hashed while it is written to a staging file, and refused at
 * the first sign of damage or hostility (see {@link #read}). Staging files live flat in the data folder's {@code tmp/}
 * (the blob store's volume, swept on start-up after a crash) and are deleted by {@link #close()}. Blobs the cache
 * holds already are hashed too, but not staged.
 */
final class StagedArchive implements AutoCloseable {

    static final long MAX_SMALL_FILE = 16L * 1024 * 1024;

    /** A blob of the archive: its verified size, and its staging file (null when the blob store holds it already). */
    record StagedBlob(Digest digest, long size, Path file) {
        boolean alreadyStored() {
            return file == null;
        }
    }

    private final Map<Digest, StagedBlob> blobs = new HashMap<>();
    private final List<Path> files = new ArrayList<>();
    private byte[] indexJson;
    private byte[] layout;

    private StagedArchive() {
    }

    /**
     * Reads {@code archive} into staging. Refused, with the staging deleted: a name that is absolute or climbs with
     * {@code ..}; a symbolic or hard link, a device or a pipe; the same name twice; a blob whose bytes do not hash to
     * its name; an entry declaring more than {@code maxBlobBytes} or more than the disk can take without touching its
     * reserve; a tar that ends inside an entry or is not a tar.
     */
    static StagedArchive read(Path archive, BlobStore store, Path tmp, DiskRoom room, long maxBlobBytes,
                              java.util.function.BiConsumer<Long, Long> bytesAndTotal) {
        InputStream file;
        long size;
        try {
            file = Files.newInputStream(archive);
            size = Files.size(archive);
        } catch (IOException e) {
            throw new BundleException("cannot read the bundle " + archive + ": " + e.getMessage(), e);
        }
        try {
            return read(file, size, store, tmp, room, maxBlobBytes, bytesAndTotal);
        } finally {
            try {
                file.close();
            } catch (IOException ignored) {
                // a file only read: nothing was lost
            }
        }
    }

    /**
     * As {@link #read(Path, BlobStore, Path, DiskRoom, long, java.util.function.BiConsumer)}, from a stream (an upload
     * to the management API) that is read up to the archive's end and not closed. {@code size}: the archive's length
     * if known, else -1 (progress then reports -1 as its total). A stream that fails or ends early is a truncated
     * archive, refused like one.
     */
    static StagedArchive read(InputStream archive, long archiveSize, BlobStore store, Path tmp, DiskRoom room, long maxBlobBytes,
                              java.util.function.BiConsumer<Long, Long> bytesAndTotal) {
        StagedArchive staged = new StagedArchive();
        String prefix = "bundle-" + UUID.randomUUID() + "-";
        try {
            // not closed here: the caller owns the stream (an HTTP body is drained after the archive's end)
            TarArchiveInputStream tar = new TarArchiveInputStream(new java.io.BufferedInputStream(
                    new ProgressStream(archive, archiveSize, bytesAndTotal), 1 << 16));
            Set<String> seen = new HashSet<>();
            TarArchiveEntry entry;
            while ((entry = nextEntry(tar)) != null) {
                String name = ArchiveEntryNames.normalized(entry.getName());
                if (entry.isSymbolicLink()) throw ArchiveEntryNames.refused(entry.getName(), "is a symbolic link (to '" + entry.getLinkName() + "')");
                if (entry.isLink()) throw ArchiveEntryNames.refused(entry.getName(), "is a hard link (to '" + entry.getLinkName() + "')");
                if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
                    throw ArchiveEntryNames.refused(entry.getName(), "is a device or a pipe");
                }
                if (entry.isDirectory()) continue;
                if (!entry.isFile() || entry.isSparse()) throw ArchiveEntryNames.refused(entry.getName(), "is not a regular file");
                if (!seen.add(name)) throw ArchiveEntryNames.refused(entry.getName(), "appears twice in the archive");
                long size = entry.getSize();
                if (size < 0) throw ArchiveEntryNames.refused(entry.getName(), "declares a negative size");
                if (name.equals(BundleLayout.INDEX_JSON)) {
                    staged.indexJson = small(tar, entry);
                } else if (name.equals(BundleLayout.OCI_LAYOUT)) {
                    staged.layout = small(tar, entry);
                } else if (name.startsWith(BundleLayout.BLOBS)) {
                    staged.stage(tar, entry, name, store, tmp, prefix, room, maxBlobBytes);
                }
                // other files (a docker-archive's manifest.json beside the layout, say) are not part of the layout: skipped
            }
            return staged;
        } catch (java.io.InterruptedIOException e) {
            staged.close();
            throw new BundleException("bundle import cancelled; nothing was imported", e);
        } catch (IOException e) {
            staged.close();
            throw new BundleException("bundle refused: " + describe(e), e);
        } catch (RuntimeException e) {
            staged.close();
            throw e;
        }
    }

    /** Counts the archive's bytes as the tar reader takes them, reports about every MiB, and stops on an interrupt. */
    private static final class ProgressStream extends java.io.FilterInputStream {
        private final long size;
        private final java.util.function.BiConsumer<Long, Long> bytesAndTotal;
        private long read;
        private long reported;

        ProgressStream(InputStream in, long size, java.util.function.BiConsumer<Long, Long> bytesAndTotal) {
            super(in);
            this.size = size;
            this.bytesAndTotal = bytesAndTotal;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) counted(1);
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) counted(n);
            return n;
        }

        private void counted(int n) throws IOException {
            read += n;
            if (read - reported >= (1 << 20) || read == size) {
                if (Thread.currentThread().isInterrupted()) throw new java.io.InterruptedIOException("bundle import cancelled");
                reported = read;
                bytesAndTotal.accept(read, size);
            }
        }
    }

    private static TarArchiveEntry nextEntry(TarArchiveInputStream tar) throws IOException {
        try {
            return tar.getNextEntry();
        } catch (IllegalArgumentException e) {
            // commons-compress reports some malformed headers (bad numbers, bad PAX records) this way
            throw new IOException("damaged tar header: " + e.getMessage(), e);
        }
    }

    private static String describe(IOException e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (m.toLowerCase(java.util.Locale.ROOT).contains("truncated")) return "the archive is truncated (" + m + ")";
        return "the archive cannot be read as a tar (" + m + ")";
    }

    private static byte[] small(TarArchiveInputStream tar, TarArchiveEntry entry) throws IOException {
        if (entry.getSize() > MAX_SMALL_FILE) {
            throw ArchiveEntryNames.refused(entry.getName(), "declares " + entry.getSize() + " bytes, more than the 16 MiB it may have");
        }
        byte[] content = tar.readNBytes((int) entry.getSize());
        if (content.length != entry.getSize()) throw new IOException("truncated entry " + entry.getName());
        return content;
    }

    private void stage(TarArchiveInputStream tar, TarArchiveEntry entry, String name, BlobStore store, Path tmp, String prefix,
                       DiskRoom room, long maxBlobBytes) throws IOException {
        String[] parts = name.split("/");
        if (parts.length != 3) throw ArchiveEntryNames.refused(entry.getName(), "is not a blob (blobs/<algorithm>/<hex>)");
        Digest digest;
        try {
            digest = Digest.parse(parts[1] + ":" + parts[2]);
        } catch (DistributionException e) {
            throw ArchiveEntryNames.refused(entry.getName(), "is not named by a sha256 or sha512 digest");
        }
        long size = entry.getSize();
        if (size > maxBlobBytes) {
            throw ArchiveEntryNames.refused(entry.getName(), "declares " + size + " bytes, more than the " + maxBlobBytes + " a blob may have");
        }
        MessageDigest hasher = hasher(digest);
        long copied;
        Path target = null;
        if (store.contains(digest)) {
            copied = copy(tar, null, hasher);
        } else {
            try {
                room.require(size, "bundle entry " + name);
            } catch (DistributionException e) {
                throw new BundleException("bundle refused: entry '" + name + "' declares " + size + " bytes, " + e.getMessage(), e);
            }
            target = tmp.resolve(prefix + digest.algorithm() + "-" + digest.hex() + ".part");
            files.add(target);
            try (OutputStream out = Files.newOutputStream(target)) {
                copied = copy(tar, out, hasher);
            }
        }
        if (copied != size) throw new IOException("truncated TAR archive: entry " + name + " ends after " + copied + " of " + size + " bytes");
        Digest actual = new Digest(digest.algorithm(), java.util.HexFormat.of().formatHex(hasher.digest()));
        if (!actual.equals(digest)) {
            throw new BundleException("bundle refused: digest mismatch: entry '" + name + "' hashes to " + actual);
        }
        blobs.put(digest, new StagedBlob(digest, size, target));
    }

    private static long copy(InputStream in, OutputStream out, MessageDigest hasher) throws IOException {
        byte[] buffer = new byte[1 << 16];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) >= 0) {
            hasher.update(buffer, 0, n);
            if (out != null) out.write(buffer, 0, n);
            total += n;
        }
        return total;
    }

    private static MessageDigest hasher(Digest digest) {
        try {
            return MessageDigest.getInstance(digest.javaAlgorithm());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("JDK lacks " + digest.javaAlgorithm(), e);
        }
    }

    Optional<StagedBlob> blob(Digest digest) {
        return Optional.ofNullable(blobs.get(digest));
    }

    /** The bytes of a manifest: from its staging file, or from the store when it held it already. */
    byte[] content(StagedBlob blob, BlobStore store) throws IOException {
        if (blob.file() != null) return Files.readAllBytes(blob.file());
        return store.read(blob.digest()).orElseThrow(() -> new BundleException(
                "manifest " + blob.digest() + " left the cache during the import (evicted?); import again"));
    }

    Optional<byte[]> indexJson() {
        return Optional.ofNullable(indexJson);
    }

    Optional<byte[]> layout() {
        return Optional.ofNullable(layout);
    }

    /** Deletes every staging file. */
    @Override
    public void close() {
        for (Path f : files) {
            try {
                Files.deleteIfExists(f);
            } catch (IOException e) {
                org.slf4j.LoggerFactory.getLogger(StagedArchive.class).warn("cannot delete staging file {}: {}", f.getFileName(), e.getMessage());
            }
        }
    }
}
