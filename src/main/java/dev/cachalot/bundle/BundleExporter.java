package dev.cachalot.bundle;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cachalot.oci.Digest;
import dev.cachalot.oci.DistributionException;
import dev.cachalot.oci.Json;
import dev.cachalot.oci.ManifestFacts;
import dev.cachalot.oci.MediaTypes;
import dev.cachalot.oci.RepositoryName;
import dev.cachalot.rules.TagFilter;
import dev.cachalot.storage.BlobStore;
import dev.cachalot.storage.RepositoryCatalog;
import dev.cachalot.storage.RepositoryContents;
import dev.cachalot.storage.RepositoryKind;
import dev.cachalot.storage.RepositorySummary;
import dev.cachalot.storage.StoredManifest;
import dev.cachalot.storage.TagRecord;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes cached images as a bundle ({@link BundleLayout}). Only what is fully cached goes in: a tag whose manifest,
 * chosen platform images or blobs are not all in the store is left out and reported, never half-written. An index is
 * written whole (its digest must stay the upstream's); with a platform filter only the chosen platforms' manifests and
 * blobs follow it, so the index names platforms the bundle lacks (as {@code skopeo copy --preserve-digests} of a
 * platform subset would). Referrers of exported manifests go in when they are fully cached.
 *
 * <p>The archive is streamed: blobs are copied file to tar, never held in memory, into {@code FILE.part}, moved to
 * {@code FILE} when complete; a failed or interrupted export leaves no file. Or to any stream (the management API's
 * response), after the plan of what goes in was told to the caller.
 */
public final class BundleExporter {

    /** Manifests larger than this are not read into memory (the registry refuses such pushes too). */
    private static final long MAX_MANIFEST_BYTES = 4L * 1024 * 1024;
    private static final long PROGRESS_STEP = 1 << 20;

    private final RepositoryCatalog catalog;
    private final RepositoryContents contents;
    private final BlobStore blobs;

    public BundleExporter(RepositoryCatalog catalog, RepositoryContents contents, BlobStore blobs) {
        this.catalog = catalog;
        this.contents = contents;
        this.blobs = blobs;
    }

    /** One digest to write, with where its bytes are. */
    private record Entry(Digest digest, Path file, long size, boolean manifest) {
    }

    /** What goes into the archive, in order: manifests before the blobs they name. */
    private static final class Plan {
        final Map<Digest, Entry> entries = new LinkedHashMap<>();
        final ArrayNode descriptors = Json.mapper().createArrayNode();
        final List<String> tags = new ArrayList<>();
        final List<BundleExportReport.Skipped> skipped = new ArrayList<>();

        BundleExportReport report() {
            long bytes = entries.values().stream().mapToLong(Entry::size).sum();
            int manifests = (int) entries.values().stream().filter(Entry::manifest).count();
            return new BundleExportReport(tags, manifests, entries.size() - manifests, bytes, skipped);
        }
    }

    /** Writes the bundle of {@code selection} to {@code file}; a tag filter that selects nothing cached is an error. */
    public BundleExportReport export(BundleSelection selection, Path file) {
        return export(selection, file, (bytes, total) -> { });
    }

    /**
     * As {@link #export(BundleSelection, Path)}, reporting the blob bytes written and their total about every MiB.
     * An interrupt of the calling thread stops it with a {@link BundleException}, and no file is left.
     */
    public BundleExportReport export(BundleSelection selection, Path file, BiConsumer<Long, Long> bytesAndTotal) {
        Plan plan = plan(selection);
        Path part = file.resolveSibling(file.getFileName() + ".part");
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(part), 1 << 16)) {
                write(plan, out, bytesAndTotal);
            }
            Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            deleteQuietly(part);
            if (e instanceof InterruptedIOException) throw new BundleException("bundle export cancelled; no file was written", e);
            if (e instanceof NoSuchFileException gone) throw blobLeft(gone, e);
            throw new BundleException("cannot write bundle " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            deleteQuietly(part);
            throw e;
        }
        return plan.report();
    }

    /**
     * Writes the bundle of {@code selection} to {@code out} as it is read from the blob store, with no copy of the
     * whole (the management API streams it as a response). First plans it: {@code planned} gets the report of what
     * will be written before the first byte is, and a selection with nothing cached is refused before then too.
     * {@code out} is flushed, not closed. A failure after {@code planned} was told means {@code out} holds a partial
     * archive: whoever reads it must be told it is broken (the API cuts the response without its last chunk).
     *
     * @throws BundleException when nothing selected is cached, or the writing stopped (cancelled, a blob evicted, or
     *                         {@code out} failed: its message says which)
     */
    public BundleExportReport export(BundleSelection selection, OutputStream out, Consumer<BundleExportReport> planned,
                                     BiConsumer<Long, Long> bytesAndTotal) {
        Plan plan = plan(selection);
        BundleExportReport report = plan.report();
        planned.accept(report);
        try {
            write(plan, out, bytesAndTotal);
            out.flush();
        } catch (IOException e) {
            if (e instanceof InterruptedIOException) throw new BundleException("bundle export cancelled", e);
            if (e instanceof NoSuchFileException gone) throw blobLeft(gone, e);
            throw new BundleException("bundle export stopped: " + e.getMessage(), e);
        }
        return report;
    }

    private static BundleException blobLeft(NoSuchFileException gone, IOException e) {
        return new BundleException("a blob left the cache while the bundle was written (evicted?): " + gone.getFile() + "; export again", e);
    }

    private static String describe(BundleSelection selection) {
        String what = selection.ruleName() != null ? "rule '" + selection.ruleName() + "'" : "repository '" + selection.repository() + "'";
        return selection.tags() == TagFilter.ALL ? what : what + " with tag filter '" + selection.tags().text() + "'";
    }

    /** What {@code selection} puts into a bundle; refused when that is nothing. */
    private Plan plan(BundleSelection selection) {
        Plan plan = collectPlan(selection);
        if (plan.tags.isEmpty()) {
            String why = plan.skipped.isEmpty() ? "no cached tag matches " + describe(selection)
                    : "no tag of " + describe(selection) + " is fully cached (" + plan.skipped.get(0).refName() + ": "
                    + plan.skipped.get(0).reason() + (plan.skipped.size() > 1 ? "; and " + (plan.skipped.size() - 1) + " more" : "") + ")";
            throw new BundleException(why);
        }
        return plan;
    }

    private Plan collectPlan(BundleSelection selection) {
        List<RepositoryName> repositories = new ArrayList<>();
        if (selection.ruleName() != null) {
            for (RepositorySummary r : catalog.repositories()) {
                if (r.kind() == RepositoryKind.CACHED && selection.ruleName().equals(r.ruleName())) repositories.add(r.name());
            }
        } else {
            if (!RepositoryName.isValid(selection.repository())) {
                throw new IllegalArgumentException(RepositoryName.describeProblem(selection.repository()));
            }
            RepositoryName name = RepositoryName.of(selection.repository());
            if (catalog.repository(name).isEmpty()) {
                throw new IllegalArgumentException("no repository named '" + selection.repository() + "' in the cache");
            }
            repositories.add(name);
        }
        Plan plan = new Plan();
        for (RepositoryName repository : repositories) {
            Map<String, TagRecord> byName = new LinkedHashMap<>();
            for (TagRecord t : contents.tags(repository)) byName.put(t.tag(), t);
            for (String tag : selection.tags().select(byName.keySet())) {
                TagRecord record = byName.get(tag);
                String refName = BundleLayout.refName(repository, tag);
                Map<Digest, Entry> image = new LinkedHashMap<>();
                Optional<String> missing = collect(repository, record.digest(), null, selection, image, 0);
                if (missing.isPresent()) {
                    plan.skipped.add(new BundleExportReport.Skipped(refName, missing.get()));
                    continue;
                }
                image.forEach(plan.entries::putIfAbsent);
                Entry top = image.get(record.digest());
                ObjectNode d = descriptor(repository, top, contents.manifest(repository, record.digest()).orElseThrow().mediaType());
                ((ObjectNode) d.get("annotations")).put(BundleLayout.REF_NAME, refName);
                plan.descriptors.add(d);
                plan.tags.add(refName);
                addReferrers(repository, image, selection, plan);
            }
        }
        return plan;
    }

    /** Untagged manifests that refer to what was exported (signatures, SBOMs), when fully cached. */
    private void addReferrers(RepositoryName repository, Map<Digest, Entry> image, BundleSelection selection, Plan plan) {
        for (Entry e : List.copyOf(image.values())) {
            if (!e.manifest()) continue;
            for (StoredManifest referrer : contents.referrers(repository, e.digest())) {
                if (plan.entries.containsKey(referrer.digest())) continue;
                Map<Digest, Entry> parts = new LinkedHashMap<>();
                if (collect(repository, referrer.digest(), null, selection, parts, 0).isEmpty()) {
                    parts.forEach(plan.entries::putIfAbsent);
                    ObjectNode d = descriptor(repository, parts.get(referrer.digest()), referrer.mediaType());
                    if (referrer.artifactType() != null) d.put("artifactType", referrer.artifactType());
                    plan.descriptors.add(d);
                }
            }
        }
    }

    private static ObjectNode descriptor(RepositoryName repository, Entry entry, String mediaType) {
        ObjectNode d = Json.mapper().createObjectNode();
        d.put("mediaType", mediaType);
        d.put("digest", entry.digest().toString());
        d.put("size", entry.size());
        d.putObject("annotations").put(BundleLayout.REPOSITORY, repository.value());
        return d;
    }

    /**
     * Adds manifest {@code digest} and everything below it that the selection takes to {@code into}; answers what is
     * missing from the cache, if anything. {@code declaredType}: the media type its parent's descriptor gives.
     */
    private Optional<String> collect(RepositoryName repository, Digest digest, String declaredType, BundleSelection selection,
                                     Map<Digest, Entry> into, int depth) {
        if (depth > 2) return Optional.of("indexes nested deeper than two levels");
        Optional<StoredManifest> stored = contents.manifest(repository, digest);
        Optional<Path> file = blobs.find(digest);
        if (stored.isEmpty() || file.isEmpty()) return Optional.of("manifest " + digest + " is not cached");
        ManifestFacts facts;
        try {
            long size = Files.size(file.get());
            if (size > MAX_MANIFEST_BYTES) return Optional.of("manifest " + digest + " is larger than 4 MiB");
            facts = ManifestFacts.parse(Files.readAllBytes(file.get()), stored.get().mediaType() != null ? stored.get().mediaType() : declaredType);
            into.put(digest, new Entry(digest, file.get(), size, true));
        } catch (IOException | DistributionException e) {
            return Optional.of("manifest " + digest + " cannot be read: " + e.getMessage());
        }
        if (facts.isIndex()) {
            int chosen = 0;
            for (ManifestFacts.Descriptor child : facts.children()) {
                if (!selection.platforms().matches(child.platform())) continue;
                chosen++;
                Optional<String> missing = collect(repository, child.digest(), child.mediaType(), selection, into, depth + 1);
                if (missing.isPresent()) {
                    return Optional.of((child.platform() == null ? "" : "platform " + child.platform() + ": ") + missing.get());
                }
            }
            if (chosen == 0 && !facts.children().isEmpty()) {
                return Optional.of("no platform of its index matches '" + selection.platforms().text() + "'");
            }
        } else if (!MediaTypes.IMAGE_MANIFESTS.contains(facts.mediaType()) && !facts.children().isEmpty()) {
            return Optional.of("manifest " + digest + " has an unknown media type " + facts.mediaType());
        }
        for (ManifestFacts.Descriptor blob : facts.blobs()) {
            if (into.containsKey(blob.digest())) continue;
            Optional<Path> blobFile = blobs.find(blob.digest());
            if (blobFile.isEmpty()) return Optional.of("blob " + blob.digest() + " is not cached");
            try {
                into.put(blob.digest(), new Entry(blob.digest(), blobFile.get(), Files.size(blobFile.get()), false));
            } catch (IOException e) {
                return Optional.of("blob " + blob.digest() + " is not cached");
            }
        }
        return Optional.empty();
    }

    private static void write(Plan plan, OutputStream out, BiConsumer<Long, Long> bytesAndTotal) throws IOException {
        long total = plan.entries.values().stream().mapToLong(Entry::size).sum();
        long written = 0;
        bytesAndTotal.accept(0L, total);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        Instant now = Instant.now();
        ObjectNode layout = Json.mapper().createObjectNode().put("imageLayoutVersion", BundleLayout.LAYOUT_VERSION);
        small(tar, BundleLayout.OCI_LAYOUT, Json.mapper().writeValueAsBytes(layout), now);
        ObjectNode index = Json.mapper().createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaTypes.OCI_INDEX);
        index.set("manifests", plan.descriptors);
        // index.json first: a reader learns what to expect before the blobs arrive
        small(tar, BundleLayout.INDEX_JSON, Json.mapper().writeValueAsBytes(index), now);
        directory(tar, BundleLayout.BLOBS, now);
        java.util.Set<String> algorithms = new java.util.TreeSet<>();
        for (Entry e : plan.entries.values()) {
            if (algorithms.add(e.digest().algorithm())) directory(tar, BundleLayout.BLOBS + e.digest().algorithm() + "/", now);
            if (Thread.currentThread().isInterrupted()) throw new InterruptedIOException("bundle export cancelled");
            TarArchiveEntry entry = new TarArchiveEntry(BundleLayout.blobEntry(e.digest()));
            entry.setSize(e.size());
            entry.setModTime(now.toEpochMilli());
            entry.setMode(0644);
            tar.putArchiveEntry(entry);
            long copied = 0;
            try (InputStream in = Files.newInputStream(e.file())) {
                byte[] buffer = new byte[1 << 16];
                int n;
                long reported = written;
                while ((n = in.read(buffer)) >= 0) {
                    tar.write(buffer, 0, n);
                    copied += n;
                    if (written + copied - reported >= PROGRESS_STEP) {
                        if (Thread.currentThread().isInterrupted()) throw new InterruptedIOException("bundle export cancelled");
                        reported = written + copied;
                        bytesAndTotal.accept(reported, total);
                    }
                }
            }
            if (copied != e.size()) throw new IOException("blob " + e.digest() + " changed size while being written");
            tar.closeArchiveEntry();
            written += copied;
            bytesAndTotal.accept(written, total);
        }
        tar.finish();
        tar.flush();
    }

    private static void small(TarArchiveOutputStream tar, String name, byte[] content, Instant at) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(content.length);
        entry.setModTime(at.toEpochMilli());
        entry.setMode(0644);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    private static void directory(TarArchiveOutputStream tar, String name, Instant at) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setModTime(at.toEpochMilli());
        entry.setMode(0755);
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // nothing more to do: the export already failed
        }
    }
}
