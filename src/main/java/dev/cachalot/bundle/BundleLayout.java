package dev.cachalot.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cachalot.oci.Digest;
import dev.cachalot.oci.Json;
import dev.cachalot.oci.Reference;
import dev.cachalot.oci.RepositoryName;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * The shape of a bundle: an OCI image layout (image-spec v1.1, {@code image-layout.md}) in a tar archive, readable by
 * other tools ({@code skopeo copy oci-archive:FILE:REF}, {@code umoci}). Entries: {@code oci-layout}, {@code index.json},
 * then {@code blobs/<algorithm>/<hex>} for every manifest, index, config and layer. In {@code index.json}, each exported
 * tag is one descriptor whose {@code org.opencontainers.image.ref.name} is {@code REPOSITORY:TAG} with the repository
 * named as this cache's clients pull it ({@code library/alpine:3.20}); the annotation spec's grammar allows both
 * {@code /} and {@code :}, and skopeo splits {@code oci-archive:FILE:REF} at the first colon only, so
 * {@code oci-archive:b.tar:library/alpine:3.20} works. Untagged manifests (referrers: signatures, SBOMs) are listed
 * without a ref name and with {@link #REPOSITORY} alone. See docs/decisions/0018-bundle-format.md.
 */
public final class BundleLayout {

    public static final String OCI_LAYOUT = "oci-layout";
    public static final String INDEX_JSON = "index.json";
    public static final String BLOBS = "blobs/";
    public static final String LAYOUT_VERSION = "1.0.0";
    public static final String REF_NAME = "org.opencontainers.image.ref.name";
    /** The repository a descriptor belongs to, on every descriptor we write (referrers have no ref name to carry it). */
    public static final String REPOSITORY = "dev.cachalot.bundle.repository";

    private BundleLayout() {
    }

    /** The archive entry of a blob: {@code blobs/sha256/<hex>}. */
    public static String blobEntry(Digest digest) {
        return BLOBS + digest.algorithm() + "/" + digest.hex();
    }

    /** The ref name of a tag: {@code REPOSITORY:TAG}. */
    public static String refName(RepositoryName repository, String tag) {
        return repository.value() + ":" + tag;
    }

    /** A tag's place in a bundle. */
    public record TagRef(RepositoryName repository, String tag) {
    }

    /**
     * Reads a ref name back; empty when it is not {@code REPOSITORY:TAG} (other tools write bare tags such as
     * {@code latest}, which name no repository).
     */
    public static Optional<TagRef> parseRefName(String refName) {
        if (refName == null) return Optional.empty();
        int colon = refName.lastIndexOf(':');
        if (colon <= 0) return Optional.empty();
        String repository = refName.substring(0, colon);
        String tag = refName.substring(colon + 1);
        if (!RepositoryName.isValid(repository) || !Reference.TAG.matcher(tag).matches()) return Optional.empty();
        return Optional.of(new TagRef(RepositoryName.of(repository), tag));
    }

    /**
     * The ref names {@code index.json} of the bundle {@code archive} lists, in order: the tags it holds. Reads the tar
     * only up to {@code index.json} (which comes early in the bundles we write).
     *
     * @throws IOException when the archive cannot be read or has no readable {@code index.json}
     */
    public static List<String> refNames(Path archive) throws IOException {
        try (InputStream in = Files.newInputStream(archive); TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                String name = entry.getName().startsWith("./") ? entry.getName().substring(2) : entry.getName();
                if (!name.equals(INDEX_JSON)) continue;
                if (entry.getSize() > 16L * 1024 * 1024) throw new IOException("index.json is larger than 16 MiB");
                List<String> refs = new ArrayList<>();
                for (JsonNode d : Json.mapper().readTree(tar.readNBytes((int) entry.getSize())).path("manifests")) {
                    String ref = d.path("annotations").path(REF_NAME).asText(null);
                    if (ref != null) refs.add(ref);
                }
                return refs;
            }
        }
        throw new IOException("the archive has no index.json");
    }
}
