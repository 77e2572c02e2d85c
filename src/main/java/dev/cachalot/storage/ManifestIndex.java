package dev.cachalot.storage;

import dev.cachalot.oci.Digest;
import dev.cachalot.oci.RepositoryName;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What is known about cached and local repositories: which manifests and blobs each holds, and its tags.
 * The bytes live in the {@link BlobStore}; this is the metadata in H2. Every method is one short transaction.
 */
public interface ManifestIndex {

    /** A repository's kind: cached through a rule, or a plain local one. */
    enum RepositoryKind { CACHED, LOCAL }

    /** Where a cached repository comes from (null for local repositories). */
    record Origin(String ruleName, String upstreamRepository) {
    }

    record StoredManifest(RepositoryName repository, Digest digest, String mediaType, long size,
                          String artifactType, Digest subject, Instant createdAt, Instant lastPulledAt, long pullCount) {
    }

    record TagRecord(RepositoryName repository, String tag, Digest digest, Instant fetchedAt, Instant validatedAt,
                     Instant lastPulledAt, long pullCount) {
    }

    record RepositorySummary(RepositoryName name, RepositoryKind kind, String ruleName, String upstreamRepository,
                             int tagCount, int manifestCount, long sizeBytes, Instant createdAt, Instant lastPulledAt,
                             long pullCount) {
    }

    /** Records a manifest in a repository (creating the repository row if needed). Idempotent. */
    void putManifest(RepositoryName repository, RepositoryKind kind, Origin origin, Digest digest, String mediaType,
                     long size, String artifactType, Digest subject);

    Optional<StoredManifest> manifest(RepositoryName repository, Digest digest);

    /** Points a tag at a digest; sets fetched and validated time to {@code at}. */
    void putTag(RepositoryName repository, String tag, Digest digest, Instant at);

    /** The upstream confirmed the tag still points at its digest. */
    void markValidated(RepositoryName repository, String tag, Instant at);

    Optional<TagRecord> tag(RepositoryName repository, String tag);

    /** Tags of a repository in lexical order. */
    List<TagRecord> tags(RepositoryName repository);

    /** Records that {@code repository} holds blob {@code digest} (size in bytes). Idempotent. */
    void linkBlob(RepositoryName repository, Digest digest, long size);

    boolean hasBlob(RepositoryName repository, Digest digest);

    /** Manifests in {@code repository} whose {@code subject} is {@code subject}. */
    List<StoredManifest> referrers(RepositoryName repository, Digest subject);

    /** Counts a pull of a manifest (and of the tag, when pulled by tag) and of its repository. */
    default void recordPull(RepositoryName repository, String tagOrNull, Digest digest, Instant at) {
        recordPulls(List.of(new PullCount(repository, tagOrNull, digest, 1, at)));
    }

    /** Adds many pull counts in one transaction; {@code last_pulled_at} never moves backwards. */
    void recordPulls(List<PullCount> counts);

    /**
     * {@code pulls} pulls of manifest {@code digest} in {@code repository} (by tag when {@code tagOrNull} is set),
     * the latest at {@code lastAt}.
     */
    record PullCount(RepositoryName repository, String tagOrNull, Digest digest, int pulls, Instant lastAt) {
    }

    boolean repositoryExists(RepositoryName repository);

    /** True if any repository is named {@code prefix} or lies under {@code prefix + "/"}; an empty prefix: any repository at all. */
    boolean anyRepositoryUnder(String prefix);

    /** As {@link #anyRepositoryUnder(String)}, counting only repositories of {@code kind}. */
    boolean anyRepositoryUnder(String prefix, RepositoryKind kind);

    List<RepositorySummary> repositories();

    Optional<RepositorySummary> repository(RepositoryName name);

    /** Manifests of a repository, newest first. */
    List<StoredManifest> manifests(RepositoryName repository);

    void deleteTag(RepositoryName repository, String tag);

    /**
     * Forgets a manifest of a repository together with every tag pointing at it (the bytes are left to garbage
     * collection). True if the repository held it. Default: unsupported, for index implementations without pushes.
     */
    default boolean deleteManifest(RepositoryName repository, Digest digest) {
        throw new UnsupportedOperationException("deleteManifest");
    }

    /**
     * Forgets that {@code repository} holds blob {@code digest} (the file is left to garbage collection). True if it
     * was linked. Default: unsupported, for index implementations without pushes.
     */
    default boolean unlinkBlob(RepositoryName repository, Digest digest) {
        throw new UnsupportedOperationException("unlinkBlob");
    }

    /** Forgets a repository with its tags, manifests and blob links (files are left to garbage collection). */
    void deleteRepository(RepositoryName repository);

    /**
     * Manifests of cached repositories (never local ones), least recently pulled first; a manifest never pulled
     * counts from when it was cached. For evicting content when the cache is over its size bound. Default:
     * unsupported, for index implementations that never bound the cache.
     */
    default List<StoredManifest> leastRecentlyPulled(int limit) {
        throw new UnsupportedOperationException("leastRecentlyPulled");
    }

    /**
     * Evicts one manifest of a cached repository in one transaction: the tags pointing at it, the manifest itself,
     * and the links of {@code unlinkBlobs} (the caller passes the blobs only this manifest referenced in that
     * repository). A repository left with no manifest is forgotten entirely. Files are left to garbage collection.
     * Default: unsupported, for index implementations that never bound the cache.
     */
    default void evictManifest(RepositoryName repository, Digest digest, java.util.Collection<Digest> unlinkBlobs) {
        throw new UnsupportedOperationException("evictManifest");
    }

    /** Digests of blobs and manifests no repository references any more (for garbage collection). */
    List<Digest> unreferencedBlobs(List<Digest> candidates);

    /** Sum of the sizes of distinct blobs and manifests known (bytes on disk, shared blobs counted once). */
    long cachedBytes();
}
