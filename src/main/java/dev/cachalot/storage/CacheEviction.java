package dev.cachalot.storage;

import dev.cachalot.oci.Digest;
import dev.cachalot.oci.RepositoryName;
import java.util.Collection;
import java.util.List;

/**
 * What keeping the cache within its size bound needs: how big it is, what was pulled least recently, and forgetting
 * one manifest at a time. Local repositories are never offered for eviction.
 *
 * <p>Concurrency: safe from any number of threads and processes; each call is atomic. Pulls may go on while the
 * janitor evicts: a manifest evicted just after a pull read it is simply fetched again next time.
 */
public interface CacheEviction {

    /**
     * Bytes of content known to the store: the sum of the sizes of distinct blobs and manifests across all
     * repositories, a digest shared by several repositories (or both linked and a manifest) counted once.
     */
    long cachedBytes();

    /**
     * Up to {@code limit} manifests of cached repositories (never local ones), least recently pulled first; a
     * manifest never pulled counts from when it was cached; ties by creation time, then repository and digest.
     * Empty for {@code limit <= 0}.
     */
    List<StoredManifest> leastRecentlyPulled(int limit);

    /** Manifests of {@code repository}, newest first (ties by digest); empty for an absent repository. */
    List<StoredManifest> manifests(RepositoryName repository);

    /**
     * Evicts one manifest atomically: the tags pointing at it, the manifest itself, and the links of
     * {@code unlinkBlobs} (the caller passes the blobs only this manifest referenced in that repository). A
     * repository left with no manifest is forgotten entirely. Bytes stay until garbage collection. Evicting a manifest
     * that is already gone still removes the given links (and the repository, if it holds no manifest).
     */
    void evictManifest(RepositoryName repository, Digest digest, Collection<Digest> unlinkBlobs);
}
