package dev.cachalot.proxy;

import dev.cachalot.oci.Digest;
import dev.cachalot.oci.DistributionException;
import dev.cachalot.oci.ErrorCode;
import dev.cachalot.oci.Reference;
import dev.cachalot.oci.RepositoryName;
import dev.cachalot.registry.PushedManifest;
import dev.cachalot.registry.RequestContext;
import dev.cachalot.registry.UploadId;
import dev.cachalot.registry.UploadSink;
import dev.cachalot.registry.UploadStatus;
import dev.cachalot.rules.Resolution;
import dev.cachalot.rules.RuleSet;
import dev.cachalot.storage.BlobStore;
import dev.cachalot.storage.BlobStore.BlobWriter;
import dev.cachalot.storage.BlobStore.DigestMismatchException;
import dev.cachalot.storage.RepositoryContents;
import dev.cachalot.storage.RepositoryKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The push side of plain local repositories (names no cache rule covers): blob uploads, cross-repository mounts,
 * manifest pushes, and deletes. Content goes through the same {@link BlobStore} as cached content (verified, then
 * moved into place atomically) and is recorded in the {@link RepositoryContents} as a {@link RepositoryKind#LOCAL}
 * repository, which is what keeps a later cache rule from claiming the name.
 *
 * <p>Names a rule covers are refused with DENIED: a pull-through cache holds exactly what its upstream sent, and a
 * push there would poison it for every later pull.
 */
public final class LocalRepositories implements AutoCloseable {

    /** An upload nobody touched for this long is abandoned, its temp file deleted. */
    public static final Duration DEFAULT_UPLOAD_IDLE_EXPIRY = UploadLimits.DEFAULT.idleExpiry();
    private static final int COPY_BUFFER = 1 << 20;

    private final NameRouting routing;
    private final BlobStore store;
    private final RepositoryContents index;
    private final BlobUploads uploads;
    private final DiskReserve reserve;
    private final Clock clock;

    /**
     * @param uploadFolder    where upload sessions keep their bytes: the data folder's {@code tmp/}, swept at start
     * @param maxUploadBytes  the largest blob a client may push
     * @param uploadIdleExpiry how long an untouched upload session lives
     */
    public LocalRepositories(Supplier<RuleSet> rules, BlobStore store, RepositoryContents index, Path uploadFolder,
                             long maxUploadBytes, Duration uploadIdleExpiry, Clock clock) {
        this(rules, store, index, uploadFolder, maxUploadBytes, new UploadLimits(uploadIdleExpiry,
                UploadLimits.DEFAULT.perClient(), UploadLimits.DEFAULT.total()), clock);
    }

    /**
     * @param uploadFolder   where upload sessions keep their bytes: the data folder's {@code tmp/}, swept at start; it
     *                       lies on the data volume, whose free space pushes must leave to the cache (DiskReserve)
     * @param maxUploadBytes the largest blob a client may push
     * @param limits         how many sessions, and for how long
     */
    public LocalRepositories(Supplier<RuleSet> rules, BlobStore store, RepositoryContents index, Path uploadFolder,
                             long maxUploadBytes, UploadLimits limits, Clock clock) {
        this.routing = new NameRouting(rules, index);
        this.store = store;
        this.index = index;
        this.clock = clock;
        this.reserve = new DiskReserve(uploadFolder);
        this.uploads = new BlobUploads(uploadFolder, maxUploadBytes, limits, reserve, clock);
    }

    // ------------------------------------------------------------------ blobs

    public UploadStatus startUpload(RepositoryName name, RequestContext context) {
        requirePushable(name, context);
        return uploads.start(name, context.clientAddress());
    }

    /**
     * Links a blob that repository {@code from} holds into {@code name}. {@code from} is read like a pull would read
     * it, so a cached repository can be a source: its content is already on this machine and readable by anyone.
     */
    public boolean mountBlob(RepositoryName name, Digest digest, RepositoryName from, RequestContext context) {
        requirePushable(name, context);
        RepositoryName source = routing.forPull(from, context.namespace()).map(Resolution::localName).orElse(from);
        Optional<Path> file = store.find(digest);
        if (file.isEmpty() || !index.hasBlob(source, digest)) {
            return false;
        }
        index.linkBlob(name, digest, sizeOf(file.get()));
        return true;
    }

    public UploadStatus uploadStatus(RepositoryName name, UploadId upload, RequestContext context) {
        return uploads.status(name, upload);
    }

    public UploadSink<UploadStatus> appendToUpload(RepositoryName name, UploadId upload, long rangeStart, long length,
                                                   RequestContext context) {
        requirePushable(name, context);
        return uploads.append(name, upload, rangeStart, length);
    }

    public UploadSink<Digest> finishUpload(RepositoryName name, UploadId upload, Digest digest, RequestContext context) {
        requirePushable(name, context);
        return uploads.finish(name, upload, (file, size) -> {
            // Storing copies the upload, so it takes its size once more before the temp file goes.
            reserve.requireRoomForPush(size);
            store(file, digest);
            index.linkBlob(name, digest, size);
            return digest;
        });
    }

    public void cancelUpload(RepositoryName name, UploadId upload, RequestContext context) {
        uploads.cancel(name, upload);
    }

    /**
     * Copies an upload into the store through a {@link BlobWriter}, which hashes as it writes and makes the blob
     * visible only when the digest matched. The copy costs one more write of the blob, but keeps the store the one
     * place that decides what becomes visible.
     */
    private void store(Path upload, Digest digest) throws IOException {
        try (BlobWriter writer = store.newWriter(digest);
             FileChannel in = FileChannel.open(upload, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(COPY_BUFFER);
            while (in.read(buffer) >= 0) {
                buffer.flip();
                writer.write(buffer);
                buffer.clear();
            }
            writer.commit();
        } catch (DigestMismatchException e) {
            throw new DistributionException(ErrorCode.DIGEST_INVALID,
                    "the uploaded content does not have digest " + digest + "; nothing was stored");
        }
    }

    public void deleteBlob(RepositoryName name, Digest digest, RequestContext context) {
        requirePushable(name, context);
        if (!index.unlinkBlob(name, digest)) {
            throw new DistributionException(ErrorCode.BLOB_UNKNOWN, "blob " + digest + " is not known in repository " + name);
        }
    }

    // ------------------------------------------------------------------ manifests

    public PushedManifest putManifest(RepositoryName name, Reference reference, String contentType, byte[] body,
                                      RequestContext context) {
        requirePushable(name, context);
        PushedManifestBody manifest = PushedManifestBody.parse(body, contentType);
        Digest digest = Digest.of(reference instanceof Reference.ByDigest d ? d.digest().algorithm() : "sha256", body);
        if (reference instanceof Reference.ByDigest d && !d.digest().equals(digest)) {
            throw new DistributionException(ErrorCode.DIGEST_INVALID,
                    "the manifest was pushed as " + d.digest() + " but its bytes have digest " + digest);
        }
        for (PushedManifestBody.Descriptor blob : manifest.blobs()) {
            if (!blob.external()) {
                requireBlob(name, blob);
            }
        }
        for (PushedManifestBody.Descriptor child : manifest.manifests()) {
            if (index.manifest(name, child.digest()).isEmpty()) {
                throw blobUnknown("manifest " + child.digest() + " is not in repository " + name + "; push it first");
            }
        }
        reserve.requireRoomForPush(body.length);
        try {
            store.put(digest, body);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store manifest " + digest, e);
        }
        index.putManifest(name, RepositoryKind.LOCAL, null, digest, manifest.mediaType(), body.length,
                manifest.artifactType(), manifest.subject());
        if (reference instanceof Reference.Tag tag) {
            index.putTag(name, tag.value(), digest, clock.instant());
        }
        return new PushedManifest(digest, manifest.subject());
    }

    private void requireBlob(RepositoryName name, PushedManifestBody.Descriptor blob) {
        Optional<Path> file = store.find(blob.digest());
        if (file.isEmpty() || !index.hasBlob(name, blob.digest())) {
            throw blobUnknown("blob " + blob.digest() + " is not in repository " + name + "; upload it first");
        }
        long size = sizeOf(file.get());
        if (size != blob.size()) {
            throw new DistributionException(ErrorCode.MANIFEST_INVALID, "manifest invalid: blob " + blob.digest()
                    + " has " + size + " bytes, not the " + blob.size() + " its descriptor says");
        }
    }

    /** Deletes a tag, or a manifest (by digest) with the tags pointing at it. */
    public void deleteManifest(RepositoryName name, Reference reference, RequestContext context) {
        requirePushable(name, context);
        boolean deleted;
        if (reference instanceof Reference.ByDigest d) {
            deleted = index.deleteManifest(name, d.digest());
        } else {
            deleted = index.tag(name, reference.value()).isPresent();
            index.deleteTag(name, reference.value());
        }
        if (!deleted) {
            throw new DistributionException(ErrorCode.MANIFEST_UNKNOWN, "manifest " + name
                    + (reference instanceof Reference.Tag ? ":" : "@") + reference.value() + " is not known to this registry");
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Refuses a push to {@code name} before any of its content is read; see {@link #requirePushable}. */
    public void checkPush(RepositoryName name, RequestContext context) {
        requirePushable(name, context);
    }

    /** Refuses writes to a name a cache rule covers, resolved exactly as a pull of that name would be. */
    private void requirePushable(RepositoryName name, RequestContext context) {
        Optional<Resolution> resolution = routing.forPush(name, context.namespace());
        if (resolution.isPresent()) {
            Resolution r = resolution.get();
            throw new DistributionException(ErrorCode.DENIED, "repository " + name + " is a cache of "
                    + r.upstream().loginServer() + "/" + r.upstreamRepository() + " (rule " + r.rule().name()
                    + "): push is refused");
        }
    }

    private static DistributionException blobUnknown(String message) {
        // The spec answers a manifest with missing references with 400, not the 404 of a plain unknown blob.
        return new DistributionException(ErrorCode.MANIFEST_BLOB_UNKNOWN, 400, message, null, null);
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Upload sessions in progress. */
    public int openUploads() {
        return uploads.openUploads();
    }

    @Override
    public void close() {
        uploads.close();
    }
}
