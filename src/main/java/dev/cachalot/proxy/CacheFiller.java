package dev.cachalot.proxy;

import dev.cachalot.oci.Digest;
import dev.cachalot.oci.DistributionException;
import dev.cachalot.oci.ErrorCode;
import dev.cachalot.oci.MediaTypes;
import dev.cachalot.oci.RepositoryName;
import dev.cachalot.registry.ManifestResult;
import dev.cachalot.rules.Resolution;
import dev.cachalot.storage.BlobStore;
import dev.cachalot.storage.RepositoryContents;
import dev.cachalot.storage.TagRecord;
import dev.cachalot.upstream.UpstreamClient;
import dev.cachalot.upstream.UpstreamManifest;
import dev.cachalot.upstream.UpstreamRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Caching without a client: what an active sync uses to bring a tag into the cache through the very path a pull takes
 * ({@link PullThroughBackend}'s manifest store and {@link BlobFills}' single flight, digest check and cluster leases),
 * but step by step, so that the caller decides when a tag is recorded, and with no pull event (a sync is not a pull).
 *
 * <p>The order that keeps a stopped sync from leaving a half-cached tag: {@link #manifest} (by digest, no tag) for the
 * manifests, {@link #blob} for every blob they list, and {@link #tag} last. Manifests and blobs stored before a stop
 * are whole and verified; they are cached content no tag points at yet, which a later run or pull reuses and garbage
 * collection may take.
 */
public final class CacheFiller {

    private static final List<String> ACCEPT = List.of(MediaTypes.OCI_INDEX, MediaTypes.OCI_MANIFEST,
            MediaTypes.DOCKER_MANIFEST_LIST, MediaTypes.DOCKER_MANIFEST);

    private final PullThroughBackend backend;
    private final BlobStore store;
    private final RepositoryContents index;
    private final UpstreamClient upstream;
    private final Clock clock;

    CacheFiller(PullThroughBackend backend, BlobStore store, RepositoryContents index, UpstreamClient upstream, Clock clock) {
        this.backend = backend;
        this.store = store;
        this.index = index;
        this.upstream = upstream;
        this.clock = clock;
    }

    /** The rule serving {@code local} and where it comes from, as a pull of that name would route it. */
    public Optional<Resolution> resolve(RepositoryName local) {
        return backend.routing().forPull(local, null);
    }

    /** Every tag of the upstream repository (bounded as the upstream client bounds it). */
    public List<String> upstreamTags(Resolution r) {
        return upstream.tags(request(r));
    }

    /** The upstream's referrers index of {@code subject} (API or fallback tag), if it has one. */
    public Optional<byte[]> upstreamReferrers(Resolution r, Digest subject) {
        return upstream.referrers(request(r), subject);
    }

    /** Where the upstream's tag points now, from a HEAD. */
    public UpstreamManifest.Head upstreamTag(Resolution r, String tag) {
        return upstream.headManifest(request(r), tag, ACCEPT);
    }

    /** The digest the cache's tag points at, if it has the tag. */
    public Optional<Digest> cachedTag(RepositoryName local, String tag) {
        return index.tag(local, tag).map(TagRecord::digest);
    }

    /** Whether the blob's bytes are in the store (linked to the repository or not). */
    public boolean hasBlob(Digest digest) {
        return store.contains(digest);
    }

    /**
     * A manifest by digest: the cached copy, else fetched, checked against its digest and stored for the repository,
     * without a tag.
     */
    public FilledManifest manifest(Resolution r, Digest digest) {
        Optional<ManifestResult> cached = backend.cachedCopy(r.localName(), digest, dev.cachalot.registry.ContentOrigin.CACHE);
        if (cached.isPresent()) return new FilledManifest(cached.get().body(), cached.get().mediaType(), digest, 0);
        ManifestResult fetched = backend.fetchAndStore(r, request(r), digest.toString(), ACCEPT, null);
        return new FilledManifest(fetched.body(), fetched.mediaType(), fetched.digest(), fetched.body().length);
    }

    /** The manifest of {@code digest} as stored, if the repository has it. */
    public Optional<FilledManifest> cachedManifest(RepositoryName local, Digest digest) {
        return backend.cachedCopy(local, digest, dev.cachalot.registry.ContentOrigin.CACHE)
                .map(m -> new FilledManifest(m.body(), m.mediaType(), digest, 0));
    }

    /** A manifest read from the upstream and not stored (a dry run's look at what a sync would fetch). */
    public UpstreamManifest peekManifest(Resolution r, Digest digest) {
        UpstreamManifest m = upstream.fetchManifest(request(r), digest.toString(), ACCEPT);
        if (!m.digest().equals(digest)) {
            throw new DistributionException(ErrorCode.UPSTREAM_UNAVAILABLE, 502,
                    "the upstream sent a manifest with digest " + m.digest() + " for " + digest, null, null);
        }
        return m;
    }

    /**
     * A blob in the store and linked to the repository: at once when cached, else through the pull path's fill (one
     * download across concurrent pulls and syncs, verified before it becomes visible). Blocks until stored.
     *
     * @return the bytes this call downloaded (0 when cached, or when another caller's download brought it)
     * @throws java.io.InterruptedIOException when the calling thread is interrupted while waiting (the download goes
     *                                        on for anyone else waiting for it, and is stored whole or not at all)
     * @throws IOException when the download failed or did not match its digest (nothing stored)
     */
    public long blob(Resolution r, Digest digest) throws IOException {
        RepositoryName local = r.localName();
        Optional<Path> file = store.find(digest);
        if (file.isPresent()) {
            if (!index.hasBlob(local, digest)) index.linkBlob(local, digest, Files.size(file.get()));
            return 0;
        }
        BlobFills.Joined joined = backend.fills().join(digest, request(r), stored -> {
            try {
                index.linkBlob(local, digest, Files.size(stored));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        joined.fill().awaitFile();
        if (!index.hasBlob(local, digest)) index.linkBlob(local, digest, Math.max(joined.fill().size(), 0));
        return joined.started() ? Math.max(joined.fill().size(), 0) : 0;
    }

    /** Points the cache's tag at {@code digest}: only once everything the tag needs is stored. */
    public void tag(Resolution r, String tag, Digest digest) {
        index.putTag(r.localName(), tag, digest, clock.instant());
    }

    /** Records that the cached tag was found current upstream. */
    public void markValidated(RepositoryName local, String tag) {
        index.markValidated(local, tag, clock.instant());
    }

    private static UpstreamRequest request(Resolution r) {
        return new UpstreamRequest(r.upstream(), r.upstreamRepository(), r.rule().credentialSet());
    }

    /** A manifest the cache now has, and how many bytes this call brought from the upstream for it. */
    public record FilledManifest(byte[] body, String mediaType, Digest digest, long upstreamBytes) {
    }
}
