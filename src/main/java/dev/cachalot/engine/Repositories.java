package dev.cachalot.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.cachalot.cache.ManifestFacts;
import dev.cachalot.cache.PullThroughBackend;
import dev.cachalot.registry.BlobResult;
import dev.cachalot.registry.Digest;
import dev.cachalot.registry.ManifestResult;
import dev.cachalot.registry.MediaTypes;
import dev.cachalot.registry.Reference;
import dev.cachalot.registry.RegistryException;
import dev.cachalot.registry.RepositoryName;
import dev.cachalot.registry.RequestContext;
import dev.cachalot.storage.BlobStore;
import dev.cachalot.storage.ManifestIndex;
import dev.cachalot.storage.ManifestIndex.StoredManifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** The cache browser's view of repositories, tags and manifests, and pulling into the cache on request. */
final class Repositories {

    private static final RequestContext PREFETCH = new RequestContext(null, "cachalot-prefetch", false,
            List.of(MediaTypes.OCI_INDEX, MediaTypes.OCI_MANIFEST, MediaTypes.DOCKER_MANIFEST_LIST, MediaTypes.DOCKER_MANIFEST));

    private final ManifestIndex index;
    private final BlobStore blobs;
    private final PullThroughBackend backend;

    Repositories(ManifestIndex index, BlobStore blobs, PullThroughBackend backend) {
        this.index = index;
        this.blobs = blobs;
        this.backend = backend;
    }

    List<RepositoryView> list() {
        return index.repositories().stream()
                .map(r -> new RepositoryView(r.name().value(), r.kind() == ManifestIndex.RepositoryKind.CACHED, r.ruleName(),
                        r.upstreamRepository(), r.tagCount(), r.sizeBytes(), r.lastPulledAt(), r.pullCount()))
                .toList();
    }

    List<TagView> tags(String repository) {
        RepositoryName name = RepositoryName.of(repository);
        List<TagView> views = new ArrayList<>();
        for (ManifestIndex.TagRecord t : index.tags(name)) {
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
            pretty = Pretty.MAPPER.writeValueAsString(Pretty.MAPPER.readTree(body.get()));
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
        if (!index.repositoryExists(name)) throw new IllegalArgumentException("no repository " + repository + " in the cache");
        index.deleteRepository(name);
    }

    /** Pulls a tag or digest with every platform and blob into the cache, through the same path as a client's pull. */
    void prefetch(String repository, String reference, Consumer<Long> bytesFetched) {
        RepositoryName name = RepositoryName.of(repository);
        long[] total = {0};
        ManifestResult top = backend.manifest(name, Reference.parse(reference), PREFETCH);
        total[0] += top.body().length;
        bytesFetched.accept(total[0]);
        ManifestFacts facts = ManifestFacts.parse(top.body(), top.mediaType());
        List<ManifestFacts> images = new ArrayList<>();
        if (facts.isIndex()) {
            for (ManifestFacts.Descriptor child : facts.children()) {
                if (Thread.currentThread().isInterrupted()) return;
                ManifestResult m = backend.manifest(name, new Reference.ByDigest(child.digest()), PREFETCH);
                total[0] += m.body().length;
                bytesFetched.accept(total[0]);
                images.add(ManifestFacts.parse(m.body(), m.mediaType()));
            }
        } else {
            images.add(facts);
        }
        for (ManifestFacts image : images) {
            for (ManifestFacts.Descriptor blob : image.blobs()) {
                if (Thread.currentThread().isInterrupted()) return;
                BlobResult b = backend.blob(name, blob.digest(), PREFETCH);
                try {
                    b.awaitFile();
                    b.served(0, null);
                } catch (IOException e) {
                    b.served(0, e);
                    throw new RegistryException(dev.cachalot.registry.ErrorCode.UPSTREAM_UNAVAILABLE, 502,
                            "fetching " + blob.digest() + " failed: " + e.getMessage(), null, e);
                }
                total[0] += Math.max(b.size(), 0);
                bytesFetched.accept(total[0]);
            }
        }
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

    /** Built on first use: the engine's start-up does not pay for a JSON mapper. */
    private static final class Pretty {
        static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }
}
