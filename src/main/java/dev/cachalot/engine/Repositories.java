package dev.cachalot.engine;

import dev.cachalot.oci.Digest;
import dev.cachalot.oci.DistributionException;
import dev.cachalot.oci.Json;
import dev.cachalot.oci.ManifestFacts;
import dev.cachalot.oci.MediaTypes;
import dev.cachalot.oci.Reference;
import dev.cachalot.oci.RepositoryName;
import dev.cachalot.proxy.PullThroughBackend;
import dev.cachalot.registry.BlobResult;
import dev.cachalot.registry.ManifestResult;
import dev.cachalot.registry.RequestContext;
import dev.cachalot.storage.BlobStore;
import dev.cachalot.storage.RepositoryCatalog;
import dev.cachalot.storage.RepositoryContents;
import dev.cachalot.storage.RepositoryKind;
import dev.cachalot.storage.StoredManifest;
import dev.cachalot.storage.TagRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/** The cache browser's view of repositories, tags and manifests, and pulling into the cache on request. */
final class Repositories {

    private static final RequestContext PREFETCH = new RequestContext(null, "cachalot-prefetch", false,
            List.of(MediaTypes.OCI_INDEX, MediaTypes.OCI_MANIFEST, MediaTypes.DOCKER_MANIFEST_LIST, MediaTypes.DOCKER_MANIFEST));

    private final RepositoryCatalog catalog;
    private final RepositoryContents index;
    private final BlobStore blobs;
    private final PullThroughBackend backend;

    Repositories(RepositoryCatalog catalog, RepositoryContents index, BlobStore blobs, PullThroughBackend backend) {
        this.catalog = catalog;
        this.index = index;
        this.blobs = blobs;
        this.backend = backend;
    }

    List<RepositoryView> list() {
        return catalog.repositories().stream()
                .map(r -> new RepositoryView(r.name().value(), r.kind() == RepositoryKind.CACHED, r.ruleName(),
                        r.upstreamRepository(), r.tagCount(), r.sizeBytes(), r.lastPulledAt(), r.pullCount()))
                .toList();
    }

    List<TagView> tags(String repository) {
        RepositoryName name = RepositoryName.of(repository);
        List<TagView> views = new ArrayList<>();
        for (TagRecord t : index.tags(name)) {
            Optional<StoredManifest> m = index.manifest(name, t.digest());
            Optional<ManifestFacts> facts = m.flatMap(sm -> facts(sm.digest(), sm.mediaType()));
            List<String> platforms = facts.map(f -> f.children().stream().map(ManifestFacts.Descriptor::platform)
                    .filter(p -> p != null).toList()).orElse(List.of());
            long size = facts.map(this::imageSize).orElse(0L) + m.map(StoredManifest::size).orElse(0L);
            views.add(new TagView(t.tag(), t.digest().toString(), m.map(StoredManifest::mediaType).orElse("?"), platforms, size,
                    t.lastPulledAt(), t.pullCount()));
        }
        return views;
    }

    Optional<ManifestView> manifest(String repository, String digestText) {
        RepositoryName name = RepositoryName.of(repository);
        Digest digest = Digest.parse(digestText);
        Optional<StoredManifest> m = index.manifest(name, digest);
        if (m.isEmpty()) return Optional.empty();
        Optional<byte[]> body = read(digest);
        if (body.isEmpty()) return Optional.empty();
        ManifestFacts facts = ManifestFacts.parse(body.get(), m.get().mediaType());
        List<ManifestView.Layer> layers = new ArrayList<>();
        for (ManifestFacts.Descriptor d : facts.children()) {
            layers.add(new ManifestView.Layer(d.digest().toString(), d.mediaType(), d.size(), index.manifest(name, d.digest()).isPresent(), d.platform()));
        }
        for (ManifestFacts.Descriptor d : facts.blobs()) {
            layers.add(new ManifestView.Layer(d.digest().toString(), d.mediaType(), d.size(), blobs.contains(d.digest()), null));
        }
        String pretty;
        try {
            pretty = Json.prettyWriter().writeValueAsString(Json.mapper().readTree(body.get()));
        } catch (IOException e) {
            pretty = new String(body.get(), java.nio.charset.StandardCharsets.UTF_8);
        }
        return Optional.of(new ManifestView(digest.toString(), m.get().mediaType(), pretty, layers));
    }

    void deleteTag(String repository, String tag) {
        RepositoryName name = RepositoryName.of(repository);
        if (index.tag(name, tag).isEmpty()) throw new IllegalArgumentException("no tag " + tag + " in " + repository);
        index.deleteTag(name, tag);
    }

    void deleteRepository(String repository) {
        RepositoryName name = RepositoryName.of(repository);
        if (index.repositoryKind(name).isEmpty()) throw new IllegalArgumentException("no repository " + repository + " in the cache");
        catalog.deleteRepository(name);
    }

    /** Pulls a tag or digest with every platform and blob into the cache, through the same path as a client's pull. */
    void prefetch(String repository, String reference, Consumer<Long> bytesFetched) {
        prefetch(repository, reference, (bytes, total) -> bytesFetched.accept(bytes));
    }

    /**
     * As {@link #prefetch(String, String, Consumer)}, also reporting the expected total: {@code -1} until the manifests
     * are fetched, then the manifests' bytes plus the sum of the blob sizes they list (what a progress bar needs).
     */
    void prefetch(String repository, String reference, BiConsumer<Long, Long> bytesAndTotal) {
        RepositoryName name = RepositoryName.of(repository);
        long fetched = 0;
        ManifestResult top = backend.manifest(name, Reference.parse(reference), PREFETCH);
        fetched += top.body().length;
        bytesAndTotal.accept(fetched, -1L);
        ManifestFacts facts = ManifestFacts.parse(top.body(), top.mediaType());
        List<ManifestFacts> images = new ArrayList<>();
        if (facts.isIndex()) {
            for (ManifestFacts.Descriptor child : facts.children()) {
                if (Thread.currentThread().isInterrupted()) return;
                ManifestResult m = backend.manifest(name, new Reference.ByDigest(child.digest()), PREFETCH);
                fetched += m.body().length;
                bytesAndTotal.accept(fetched, -1L);
                images.add(ManifestFacts.parse(m.body(), m.mediaType()));
            }
        } else {
            images.add(facts);
        }
        long total = fetched;
        for (ManifestFacts image : images) {
            for (ManifestFacts.Descriptor blob : image.blobs()) total += Math.max(blob.size(), 0);
        }
        bytesAndTotal.accept(fetched, total);
        for (ManifestFacts image : images) {
            for (ManifestFacts.Descriptor blob : image.blobs()) {
                if (Thread.currentThread().isInterrupted()) return;
                BlobResult b = backend.blob(name, blob.digest(), PREFETCH);
                long before = fetched;
                try {
                    if (b.file() == null) {
                        // still arriving: follow the download so progress moves within a big layer and a cancel is quick
                        fetched = follow(b, fetched, total, bytesAndTotal);
                        if (fetched < 0) {
                            b.served(0, new java.io.InterruptedIOException("pull into cache cancelled"));
                            return;
                        }
                    }
                    b.awaitFile();
                    b.served(0, null);
                } catch (IOException e) {
                    b.served(0, e);
                    throw new DistributionException(dev.cachalot.oci.ErrorCode.UPSTREAM_UNAVAILABLE, 502,
                            "fetching " + blob.digest() + " failed: " + e.getMessage(), null, e);
                }
                fetched = before + Math.max(b.size(), 0);
                bytesAndTotal.accept(fetched, Math.max(total, fetched));
            }
        }
    }

    /** Reads a blob as it arrives, reporting about every MiB; returns the new byte count, or -1 when interrupted. */
    private static long follow(BlobResult b, long fetched, long total, BiConsumer<Long, Long> bytesAndTotal) throws IOException {
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(1 << 16);
        long reported = fetched;
        try (BlobResult.BlobStream stream = b.openStream()) {
            int n;
            while ((n = stream.read(buffer)) >= 0) {
                buffer.clear();
                fetched += n;
                if (Thread.currentThread().isInterrupted()) return -1;
                if (fetched - reported >= (1 << 20)) {
                    reported = fetched;
                    bytesAndTotal.accept(fetched, Math.max(total, fetched));
                }
            }
        }
        return fetched;
    }

    private long imageSize(ManifestFacts facts) {
        if (!facts.isIndex()) return facts.blobs().stream().mapToLong(d -> Math.max(d.size(), 0)).sum();
        long sum = 0;
        for (ManifestFacts.Descriptor child : facts.children()) {
            sum += Math.max(child.size(), 0);
            Optional<ManifestFacts> img = facts(child.digest(), child.mediaType());
            sum += img.map(f -> f.blobs().stream().mapToLong(d -> Math.max(d.size(), 0)).sum()).orElse(0L);
        }
        return sum;
    }

    private Optional<ManifestFacts> facts(Digest digest, String mediaType) {
        return read(digest).map(body -> ManifestFacts.parse(body, mediaType));
    }

    private Optional<byte[]> read(Digest digest) {
        try {
            return blobs.read(digest);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
