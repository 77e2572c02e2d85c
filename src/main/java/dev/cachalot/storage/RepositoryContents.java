package dev.cachalot.storage;

import dev.cachalot.oci.Digest;
import dev.cachalot.oci.RepositoryName;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What each repository holds: its manifests, its tags and the blobs linked into it. The registry path reads and
 * writes this on every pull, push and delete; the bytes themselves live in the {@link BlobStore}.
 *
 * <p>Concurrency, for every method: safe to call from any number of threads and processes sharing the store; each
 * call is atomic on its own, and what one call committed is seen by every later call from anywhere. Writes are
 * idempotent where said, so two clients pulling the same image at once need no coordination.
 *
 * <p>Missing things: lookups answer empty; deletes of something absent do nothing (and say so where they return a
 * boolean). Nothing here throws for an absent repository.
 */
public interface RepositoryContents {

    /**
     * Records {@code digest} as a manifest of {@code repository}, creating the repository with {@code kind} and
     * {@code origin} (null for local repositories) if needed, or bringing an existing repository's kind and origin up
     * to date (a rule may have been re-pointed). Idempotent: a manifest already recorded keeps its media type, size,
     * creation time and pull counters. {@code artifactType} and {@code subject} may be null.
     */
    void putManifest(RepositoryName repository, RepositoryKind kind, RepositoryOrigin origin, Digest digest,
                     String mediaType, long size, String artifactType, Digest subject);

    /** The manifest {@code digest} of {@code repository}; empty if that repository does not hold it. */
    Optional<StoredManifest> manifest(RepositoryName repository, Digest digest);

    /**
     * Manifests of {@code repository} whose subject is {@code subject} (the referrers API), oldest first, ties by
     * digest; empty when there are none or the repository does not exist.
     */
    List<StoredManifest> referrers(RepositoryName repository, Digest subject);

    /**
     * Forgets a manifest of a repository together with every tag pointing at it; blob links and the bytes stay (the
     * latter until garbage collection). True if the repository held it; false, changing nothing, otherwise.
     */
    boolean deleteManifest(RepositoryName repository, Digest digest);

    /**
     * Points {@code tag} at {@code digest} (creating or moving it) and sets its fetched and validated times to
     * {@code at}; a moved tag keeps its pull counters. The repository should exist (a manifest put first); the
     * manifest need not.
     */
    void putTag(RepositoryName repository, String tag, Digest digest, Instant at);

    /** Records that the upstream confirmed {@code tag} still points at its digest. Does nothing for an absent tag. */
    void markValidated(RepositoryName repository, String tag, Instant at);

    /** The tag {@code tag} of {@code repository}; empty if absent. */
    Optional<TagRecord> tag(RepositoryName repository, String tag);

    /** Tags of a repository in lexical order (of their Java strings); empty for an absent repository. */
    List<TagRecord> tags(RepositoryName repository);

    /** Removes a tag; its manifest stays. Does nothing for an absent tag. */
    void deleteTag(RepositoryName repository, String tag);

    /**
     * Records that {@code repository} holds blob {@code digest} of {@code size} bytes. Idempotent: a blob already
     * linked keeps its first size. Does not create the repository.
     */
    void linkBlob(RepositoryName repository, Digest digest, long size);

    /** True if blob {@code digest} is linked into {@code repository}. */
    boolean hasBlob(RepositoryName repository, Digest digest);

    /** Forgets the link of blob {@code digest} into {@code repository}; the bytes stay. True if it was linked. */
    boolean unlinkBlob(RepositoryName repository, Digest digest);

    /** The kind of repository {@code repository}; empty if no such repository exists. */
    Optional<RepositoryKind> repositoryKind(RepositoryName repository);
}
