package dev.cachalot.registry;

import dev.cachalot.oci.Digest;
import dev.cachalot.oci.DistributionException;
import dev.cachalot.oci.ErrorCode;
import dev.cachalot.oci.Reference;
import dev.cachalot.oci.RepositoryName;
import java.io.InputStream;

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
     * Appends a chunk to an upload. {@code rangeStart} is the chunk's first offset from {@code Content-Range}, or
     * -1 when the client sent none (a streamed upload); {@code length} is its declared length, or -1.
     * A chunk that does not start where the upload ends fails with status 416 and leaves the upload as it was.
     */
    default UploadStatus appendToUpload(RepositoryName name, UploadId upload, long rangeStart, long length,
                                        InputStream chunk, RequestContext context) {
        throw unsupported("blob uploads");
    }

    /**
     * Completes an upload with an optional last chunk ({@code finalChunk}, possibly empty), verifies that the whole
     * content has {@code digest} and makes the blob visible in {@code name}. On a mismatch nothing is stored, the
     * upload is gone, and the call fails with DIGEST_INVALID.
     */
    default Digest finishUpload(RepositoryName name, UploadId upload, Digest digest, InputStream finalChunk,
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
