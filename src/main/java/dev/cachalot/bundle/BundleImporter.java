package dev.cachalot.bundle;

import dev.cachalot.oci.Digest;
import dev.cachalot.oci.RepositoryName;
import dev.cachalot.proxy.DiskRoom;
import dev.cachalot.rules.Resolution;
import dev.cachalot.storage.BlobStore;
import dev.cachalot.storage.ContentLoads;
import dev.cachalot.storage.RepositoryKind;
import dev.cachalot.storage.RepositoryOrigin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Loads a bundle into the cache, all or nothing, in three steps:
 * <ol>
 *   <li>stage: the tar is read once, each blob hashed as it is written to a staging file ({@link StagedArchive});</li>
 *   <li>check: every reference from {@code index.json} down is followed ({@link BundleContents}); each repository is
 *       routed as a pull of that name would be: under the rule that serves it (cached content, as if pulled), or as
 *       a local repository when no rule does;</li>
 *   <li>commit: the referenced blobs go into the blob store (moved when it is on the staging volume), then every manifest, blob link and tag is recorded in
 *       one metadata transaction ({@link ContentLoads}).</li>
 * </ol>
 * A refusal in the first two steps leaves the data folder as it was (staging files are deleted). A failure during the
 * commit (the disk fills, the database fails) leaves no metadata; blobs stored before it are unreferenced and go at
 * the next garbage collection, like an aborted pull's.
 */
public final class BundleImporter {

    private final Function<RepositoryName, Optional<Resolution>> routing;
    private final ContentLoads loads;
    private final BlobStore blobs;
    private final DiskRoom room;
    private final Path tmp;
    private final long maxBlobBytes;
    private final Clock clock;

    /**
     * @param routing which rule serves a pull of a name (empty: a local repository)
     * @param tmp     the folder for staging files, on the blob store's volume
     */
    public BundleImporter(Function<RepositoryName, Optional<Resolution>> routing, ContentLoads loads, BlobStore blobs, DiskRoom room,
                          Path tmp, long maxBlobBytes, Clock clock) {
        this.routing = routing;
        this.loads = loads;
        this.blobs = blobs;
        this.room = room;
        this.tmp = tmp;
        this.maxBlobBytes = maxBlobBytes;
        this.clock = clock;
    }

    public BundleImportReport importBundle(Path file) {
        return importBundle(file, (bytes, total) -> { });
    }

    /**
     * As {@link #importBundle(Path)}, reporting the archive's bytes read and its size about every MiB. An interrupt
     * of the calling thread stops it with a {@link BundleException} and leaves nothing behind, up to the commit.
     */
    public BundleImportReport importBundle(Path file, java.util.function.BiConsumer<Long, Long> bytesAndTotal) {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("no bundle file " + file);
        createStaging();
        try (StagedArchive staged = StagedArchive.read(file, blobs, tmp, room, maxBlobBytes, bytesAndTotal)) {
            return load(staged);
        }
    }

    /**
     * As {@link #importBundle(Path, java.util.function.BiConsumer)}, from a stream (the management API's request
     * body), read up to the archive's end and not closed. {@code size}: its length if known, else -1. The archive is
     * bounded as a file's is (the blob size limit, the disk's room), not by the stream.
     */
    public BundleImportReport importBundle(java.io.InputStream archive, long size, java.util.function.BiConsumer<Long, Long> bytesAndTotal) {
        createStaging();
        try (StagedArchive staged = StagedArchive.read(archive, size, blobs, tmp, room, maxBlobBytes, bytesAndTotal)) {
            return load(staged);
        }
    }

    private void createStaging() {
        try {
            Files.createDirectories(tmp);
        } catch (IOException e) {
            throw new BundleException("cannot create the staging folder " + tmp + ": " + e.getMessage(), e);
        }
    }

    private BundleImportReport load(StagedArchive staged) {
        BundleContents contents = BundleContents.of(staged, blobs);
        Map<RepositoryName, ContentLoads.RepositoryLoad> loadsByName = new LinkedHashMap<>();
        List<BundleImportReport.Destination> destinations = new ArrayList<>();
        for (var e : contents.repositories.entrySet()) {
            ContentLoads.RepositoryLoad load = route(e.getKey(), e.getValue());
            loadsByName.merge(load.name(), load, BundleImporter::merged);
            destinations.add(new BundleImportReport.Destination(e.getKey().value(),
                    load.origin() == null ? null : load.origin().ruleName(), load.origin() == null ? null : load.origin().upstreamRepository()));
        }
        if (Thread.currentThread().isInterrupted()) throw new BundleException("bundle import cancelled; nothing was imported");
        long[] stored = storeBlobs(contents);
        loads.load(List.copyOf(loadsByName.values()), clock.instant());
        int tags = contents.repositories.values().stream().mapToInt(r -> r.tags.size()).sum();
        int manifests = contents.repositories.values().stream().mapToInt(r -> r.manifests.size()).sum();
        return new BundleImportReport(contents.images, tags, manifests, (int) stored[0], stored[1], (int) stored[2], destinations);
    }

    private ContentLoads.RepositoryLoad route(RepositoryName name, BundleContents.RepositoryContent content) {
        Optional<Resolution> rule = routing.apply(name);
        RepositoryName local = rule.map(Resolution::localName).orElse(name);
        RepositoryKind kind = rule.isPresent() ? RepositoryKind.CACHED : RepositoryKind.LOCAL;
        RepositoryOrigin origin = rule.map(r -> new RepositoryOrigin(r.rule().name(), r.upstreamRepository())).orElse(null);
        return new ContentLoads.RepositoryLoad(local, kind, origin, List.copyOf(content.manifests.values()), content.blobs, content.tags);
    }

    /** Two bundle repositories that route to one local repository (a Docker Hub short name and its library/ form). */
    private static ContentLoads.RepositoryLoad merged(ContentLoads.RepositoryLoad a, ContentLoads.RepositoryLoad b) {
        List<ContentLoads.ManifestLoad> manifests = new ArrayList<>(a.manifests());
        manifests.addAll(b.manifests().stream().filter(m -> a.manifests().stream().noneMatch(x -> x.digest().equals(m.digest()))).toList());
        Map<Digest, Long> links = new LinkedHashMap<>(a.blobs());
        links.putAll(b.blobs());
        Map<String, Digest> tags = new LinkedHashMap<>(a.tags());
        tags.putAll(b.tags());
        return new ContentLoads.RepositoryLoad(a.name(), a.kind(), a.origin(), manifests, links, tags);
    }

    /**
     * Moves the referenced staged blobs into the store: {new blobs, their bytes, blobs the store held already}. The
     * disk was checked as they were staged; a move into a store on the same volume needs no more room.
     */
    private long[] storeBlobs(BundleContents contents) {
        long count = 0;
        long bytes = 0;
        long present = 0;
        for (StagedArchive.StagedBlob blob : contents.referenced.values()) {
            if (Thread.currentThread().isInterrupted()) throw new BundleException("bundle import cancelled");
            if (blob.alreadyStored() || blobs.contains(blob.digest())) {
                if (!blobs.contains(blob.digest())) {
                    throw new BundleException("blob " + blob.digest() + " left the cache during the import (evicted?); import again");
                }
                present++;
                continue;
            }
            try {
                store(blob);
            } catch (IOException e) {
                throw new BundleException("bundle not imported: cannot store " + blob.digest() + ": " + e.getMessage(), e);
            }
            count++;
            bytes += blob.size();
        }
        return new long[] {count, bytes, present};
    }

    /** Hands a staged file to the store, which moves it into place when it can (the file was hashed while staged). */
    private void store(StagedArchive.StagedBlob blob) throws IOException {
        if (!Files.exists(blob.file())) throw new IOException("staging file vanished");
        blobs.putVerifiedFile(blob.digest(), blob.file());
    }
}
