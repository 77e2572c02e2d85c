package dev.cachalot.registry;

import dev.cachalot.oci.Digest;
import dev.cachalot.oci.DistributionException;
import dev.cachalot.oci.ErrorCode;
import dev.cachalot.oci.Reference;
import dev.cachalot.oci.RepositoryName;

/**
 * What the HTTP layer serves. The HTTP layer validates and parses the request (names, references, digests,
 * ranges), the backend decides where content comes from (local store, upstream via a cache rule) so that the
 * handlers never know whether content came from the upstream. Every method may throw {@link DistributionException},
 * which the HTTP layer turns into a spec error body.
 */
public interface RegistryBackend {

    /** GET or HEAD of a manifest by tag or digest. */
    ManifestResult manifest(RepositoryName name, Reference reference, RequestContext context);

    /** GET or HEAD of a blob. */
    BlobResult blob(RepositoryName name, Digest digest, RequestContext context);

    /**
     * Tags of a repository in lexical order, starting after {@code last} (exclusive, may be null),
     * at most {@code n} of them ({@code n < 0}: all).
     */
    TagPage tags(RepositoryName name, int n, String last, RequestContext context);

    /** The referrers of {@code subject}, filtered by {@code artifactType} when not null. */
    Referrers referrers(RepositoryName name, Digest subject, String artifactType, RequestContext context);

    // ------------------------------------------------------------------ push (plain local repositories)
    // Each default refuses with UNSUPPORTED (405), so a pull-only backend needs none of them.

    /** Starts a blob upload session in {@code name} ({@code POST /v2/<name>/blobs/uploads/}). */
    default UploadStatus startUpload(RepositoryName name, RequestContext context) {
        throw unsupported("blob uploads");
    }

    /**
     * Cross-repository mount: links blob {@code digest} of repository {@code from} into {@code name} without an
     * upload. False when {@code from} does not hold the blob (the client then uploads it).
     */
    default boolean mountBlob(RepositoryName name, Digest digest, RepositoryName from, RequestContext context) {
        throw unsupported("blob mounts");
    }

    /** How many bytes an upload has received. */
    default UploadStatus uploadStatus(RepositoryName name, UploadId upload, RequestContext context) {
        throw unsupported("blob uploads");
    }

    /**
     * Opens the sink for a chunk of an upload ({@code PATCH}). {@code rangeStart} is the chunk's first offset from
     * {@code Content-Range}, or -1 when the client sent none (a streamed upload); {@code length} is its declared
     * length, or -1. What can be refused before the body is read is refused here, by throwing: an unknown session, a
     * chunk that does not start where the upload ends (status 416), a declared length over the blob limit or the disk's
     * room. A chunk refused while it arrives, or that breaks off, leaves the upload as it was; the sink's answer is
     * the upload's status once the chunk is in.
     */
    default UploadSink<UploadStatus> appendToUpload(RepositoryName name, UploadId upload, long rangeStart, long length,
                                                    RequestContext context) {
        throw unsupported("blob uploads");
    }

    /**
     * Opens the sink for the last chunk of an upload (possibly empty) that completes it. On {@link UploadSink#complete}
     * the backend verifies that the whole content has {@code digest}, makes the blob visible in {@code name} and ends
     * the upload; on a mismatch nothing is stored, the upload is gone, and {@code complete} fails with DIGEST_INVALID.
     * A last chunk that breaks off keeps the upload as it was, so the client may retry.
     */
    default UploadSink<Digest> finishUpload(RepositoryName name, UploadId upload, Digest digest,
                                            RequestContext context) {
        throw unsupported("blob uploads");
    }

    /** Abandons an upload and its bytes. */
    default void cancelUpload(RepositoryName name, UploadId upload, RequestContext context) {
        throw unsupported("blob uploads");
    }

    /**
     * Refuses, before its body is read, a manifest push to {@code name} that would be refused whatever the body (a
     * name this registry takes no pushes for), so that a client is not waited for to send a body that is thrown
     * away. Returns normally when the push may go ahead.
     */
    default void checkManifestPush(RepositoryName name, RequestContext context) {
        throw unsupported("manifest pushes");
    }

    /**
     * Stores a pushed manifest byte for byte under {@code reference} (a tag is pointed at it; a digest must be the
     * digest of {@code body}). {@code contentType} is the request's media type without parameters, or null.
     */
    default PushedManifest putManifest(RepositoryName name, Reference reference, String contentType, byte[] body,
                                       RequestContext context) {
        throw unsupported("manifest pushes");
    }

    /** Deletes a tag, or a manifest by digest together with the tags pointing at it. */
    default void deleteManifest(RepositoryName name, Reference reference, RequestContext context) {
        throw unsupported("manifest deletes");
    }

    /** Unlinks a blob from a repository (the file goes when no repository references it any more). */
    default void deleteBlob(RepositoryName name, Digest digest, RequestContext context) {
        throw unsupported("blob deletes");
    }

    private static DistributionException unsupported(String what) {
        return new DistributionException(ErrorCode.UNSUPPORTED, what + " are not supported by this registry");
    }
}
