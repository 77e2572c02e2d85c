package dev.cachalot.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cachalot.oci.Digest;
import dev.cachalot.oci.DistributionException;
import dev.cachalot.oci.Json;
import dev.cachalot.oci.ManifestFacts;
import dev.cachalot.oci.RepositoryName;
import dev.cachalot.storage.BlobStore;
import dev.cachalot.storage.ContentLoads.ManifestLoad;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a staged bundle holds, per repository, after every reference in it was followed and checked: each descriptor
 * of {@code index.json} and every manifest below it must be in the archive with the size its parent declares, and
 * every config and layer of an image manifest too. An index's platform manifests may be absent (a bundle exported
 * with a platform filter), but not all of them. Blobs in the archive that nothing references are not loaded.
 */
final class BundleContents {

    static final long MAX_MANIFEST_BYTES = 4L * 1024 * 1024;

    /** One repository's manifests, blob links and tags, as found in the bundle. */
    static final class RepositoryContent {
        final Map<Digest, ManifestLoad> manifests = new LinkedHashMap<>();
        final Map<Digest, Long> blobs = new LinkedHashMap<>();
        final Map<String, Digest> tags = new LinkedHashMap<>();
    }

    final Map<RepositoryName, RepositoryContent> repositories = new LinkedHashMap<>();
    /** Every blob and manifest that something references: what gets stored. */
    final Map<Digest, StagedArchive.StagedBlob> referenced = new LinkedHashMap<>();
    int images;

    private final StagedArchive archive;
    private final BlobStore store;

    private BundleContents(StagedArchive archive, BlobStore store) {
        this.archive = archive;
        this.store = store;
    }

    static BundleContents of(StagedArchive archive, BlobStore store) {
        BundleContents contents = new BundleContents(archive, store);
        contents.readLayout();
        contents.readIndex();
        return contents;
    }

    private void readLayout() {
        byte[] layout = archive.layout().orElseThrow(() -> refused("it has no oci-layout file (not an OCI image layout)"));
        JsonNode root = json(layout, "oci-layout");
        String version = root.path("imageLayoutVersion").asText("");
        if (!version.equals(BundleLayout.LAYOUT_VERSION)) {
            throw refused("oci-layout declares image layout version '" + version + "'; only " + BundleLayout.LAYOUT_VERSION + " is read");
        }
    }

    private void readIndex() {
        byte[] index = archive.indexJson().orElseThrow(() -> refused("it has no index.json"));
        JsonNode manifests = json(index, "index.json").path("manifests");
        if (!manifests.isArray() || manifests.isEmpty()) throw refused("index.json lists no manifests");
        Map<RepositoryName, Map<Digest, Boolean>> tagged = new LinkedHashMap<>();
        for (JsonNode d : manifests) {
            Descriptor descriptor = descriptor(d, "index.json");
            JsonNode annotations = d.path("annotations");
            String refName = annotations.path(BundleLayout.REF_NAME).asText(null);
            RepositoryName repository;
            String tag = null;
            if (refName != null) {
                BundleLayout.TagRef ref = BundleLayout.parseRefName(refName).orElseThrow(() -> refused("index.json names '" + refName
                        + "', which is not REPOSITORY:TAG; this cache needs to know which repository each image belongs to"));
                repository = ref.repository();
                tag = ref.tag();
            } else {
                String name = annotations.path(BundleLayout.REPOSITORY).asText(null);
                if (name == null || !RepositoryName.isValid(name)) {
                    throw refused("index.json lists " + descriptor.digest() + " without a ref name (REPOSITORY:TAG) or a repository");
                }
                repository = RepositoryName.of(name);
            }
            RepositoryContent content = repositories.computeIfAbsent(repository, r -> new RepositoryContent());
            String where = tag == null ? repository.value() + "@" + descriptor.digest() : refName;
            walk(content, descriptor, where, 0);
            if (tag != null) {
                Digest previous = content.tags.put(tag, descriptor.digest());
                if (previous != null && !previous.equals(descriptor.digest())) {
                    throw refused("index.json names " + refName + " twice, for different manifests");
                }
                if (tagged.computeIfAbsent(repository, r -> new LinkedHashMap<>()).put(descriptor.digest(), true) == null) images++;
            }
        }
    }

    private record Descriptor(Digest digest, String mediaType, long size) {
    }

    private Descriptor descriptor(JsonNode d, String where) {
        Digest digest;
        try {
            digest = Digest.parse(d.path("digest").asText(null));
        } catch (DistributionException e) {
            throw refused(where + " has a descriptor with an invalid digest: " + e.getMessage());
        }
        if (!d.path("size").canConvertToLong() || d.path("size").asLong() < 0) {
            throw refused(where + " gives no valid size for " + digest);
        }
        return new Descriptor(digest, d.path("mediaType").asText(null), d.path("size").asLong());
    }

    /** Checks manifest {@code d} and what it references, adding them to {@code content}. */
    private void walk(RepositoryContent content, Descriptor d, String where, int depth) {
        if (depth > 2) throw refused(where + ": indexes nested deeper than two levels");
        StagedArchive.StagedBlob blob = present(d, where, "manifest");
        if (blob.size() > MAX_MANIFEST_BYTES) throw refused(where + ": manifest " + d.digest() + " is larger than 4 MiB");
        ManifestFacts facts;
        try {
            facts = ManifestFacts.parse(archive.content(blob, store), d.mediaType());
        } catch (DistributionException | IOException e) {
            throw refused(where + ": manifest " + d.digest() + " cannot be read: " + e.getMessage());
        }
        if (facts.mediaType() == null) throw refused(where + ": manifest " + d.digest() + " has no media type");
        content.manifests.putIfAbsent(d.digest(), new ManifestLoad(d.digest(), facts.mediaType(), blob.size(), facts.artifactType(),
                facts.subject()));
        if (facts.isIndex()) {
            int present = 0;
            for (ManifestFacts.Descriptor child : facts.children()) {
                if (archive.blob(child.digest()).isEmpty()) continue; // a platform left out on export
                present++;
                walk(content, new Descriptor(child.digest(), child.mediaType(), child.size()), where, depth + 1);
            }
            if (present == 0 && !facts.children().isEmpty()) {
                throw refused(where + ": none of the manifests of index " + d.digest() + " is in the archive");
            }
        }
        for (ManifestFacts.Descriptor b : facts.blobs()) {
            StagedArchive.StagedBlob staged = present(new Descriptor(b.digest(), b.mediaType(), b.size()), where, "blob");
            content.blobs.put(b.digest(), staged.size());
        }
    }

    private StagedArchive.StagedBlob present(Descriptor d, String where, String what) {
        StagedArchive.StagedBlob blob = archive.blob(d.digest())
                .orElseThrow(() -> refused(where + ": " + what + " " + d.digest() + " is referenced but not in the archive"));
        if (d.size() >= 0 && blob.size() != d.size()) {
            throw refused(where + ": " + what + " " + d.digest() + " is " + blob.size() + " bytes in the archive, but is declared as "
                    + d.size());
        }
        referenced.putIfAbsent(d.digest(), blob);
        return blob;
    }

    private static JsonNode json(byte[] content, String what) {
        try {
            JsonNode root = Json.mapper().readTree(content);
            if (root == null || !root.isObject()) throw refused(what + " is not a JSON object");
            return root;
        } catch (IOException e) {
            throw refused(what + " is not valid JSON");
        }
    }

    static BundleException refused(String why) {
        return new BundleException("bundle refused: " + why);
    }
}
