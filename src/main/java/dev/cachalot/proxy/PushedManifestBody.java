package dev.cachalot.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cachalot.oci.Digest;
import dev.cachalot.oci.DistributionException;
import dev.cachalot.oci.ErrorCode;
import dev.cachalot.oci.Json;
import dev.cachalot.oci.ManifestFacts;
import dev.cachalot.oci.MediaTypes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A manifest as a client pushed it, read strictly: unlike a cached manifest (which is the upstream's business), a
 * pushed one must be well formed before it is stored, since this registry is the only authority for it.
 *
 * @param mediaType    the manifest's media type (the request's {@code Content-Type}, else the body's {@code mediaType})
 * @param artifactType the artifact type, or null
 * @param subject      the {@code subject} digest, or null
 * @param blobs        config and layer descriptors that must be blobs of the repository
 * @param manifests    the descriptors of an index, which must be manifests of the repository
 */
record PushedManifestBody(String mediaType, String artifactType, Digest subject, List<Descriptor> blobs,
                          List<Descriptor> manifests) {


    /** The manifest types a client may push. Schema 1 is long deprecated and never accepted. */
    static final Set<String> PUSHABLE = Set.of(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX,
            MediaTypes.DOCKER_MANIFEST, MediaTypes.DOCKER_MANIFEST_LIST);

    /**
     * A descriptor the manifest points at.
     *
     * @param external true for a non-distributable layer with {@code urls}: its bytes live elsewhere, by design
     */
    record Descriptor(Digest digest, long size, boolean external) {
    }

    /**
     * Parses and checks a pushed manifest.
     *
     * @param contentType the request's media type without parameters, or null
     * @throws DistributionException MANIFEST_INVALID when it is not a well-formed manifest of a pushable type
     */
    static PushedManifestBody parse(byte[] body, String contentType) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(body);
        } catch (IOException e) {
            throw invalid("the manifest is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw invalid("the manifest is not a JSON object");
        }
        if (root.path("schemaVersion").asInt(-1) != 2 || !root.path("schemaVersion").isIntegralNumber()) {
            throw invalid("schemaVersion must be 2");
        }
        String declared = root.hasNonNull("mediaType") ? root.path("mediaType").asText() : null;
        String mediaType = contentType != null && !contentType.equals("application/octet-stream") ? contentType : declared;
        if (mediaType == null) {
            throw invalid("the manifest has no media type: send it as Content-Type");
        }
        if (declared != null && !declared.equals(mediaType)) {
            throw invalid("Content-Type " + mediaType + " does not match the manifest's mediaType " + declared);
        }
        if (!PUSHABLE.contains(mediaType)) {
            throw invalid("unsupported manifest media type " + mediaType + "; expected one of " + String.join(", ", PUSHABLE.stream().sorted().toList()));
        }

        List<Descriptor> blobs = new ArrayList<>();
        List<Descriptor> manifests = new ArrayList<>();
        if (MediaTypes.isIndex(mediaType)) {
            JsonNode entries = root.path("manifests");
            if (!entries.isArray()) {
                throw invalid("an index needs a manifests array");
            }
            for (JsonNode entry : entries) {
                manifests.add(descriptor(entry, "manifests[]"));
            }
        } else {
            if (!root.path("config").isObject()) {
                throw invalid("an image manifest needs a config descriptor");
            }
            blobs.add(descriptor(root.path("config"), "config"));
            JsonNode layers = root.path("layers");
            if (!layers.isMissingNode() && !layers.isArray()) {
                throw invalid("layers must be an array");
            }
            for (JsonNode layer : layers) {
                blobs.add(descriptor(layer, "layers[]"));
            }
        }
        Digest subject = null;
        if (root.has("subject")) {
            if (!root.path("subject").isObject()) {
                throw invalid("subject must be a descriptor");
            }
            subject = descriptor(root.path("subject"), "subject").digest();
        }
        String artifactType = ManifestFacts.parse(body, mediaType).artifactType();
        return new PushedManifestBody(mediaType, artifactType, subject, List.copyOf(blobs), List.copyOf(manifests));
    }

    private static Descriptor descriptor(JsonNode node, String where) {
        if (!node.isObject()) {
            throw invalid(where + " must be a descriptor object");
        }
        String digestText = node.path("digest").isTextual() ? node.path("digest").asText() : null;
        Digest digest;
        try {
            digest = Digest.parse(digestText);
        } catch (DistributionException e) {
            throw invalid(where + " has an invalid digest: " + e.getMessage());
        }
        JsonNode size = node.path("size");
        if (!size.isIntegralNumber() || size.asLong() < 0) {
            throw invalid(where + " " + digest + " needs a non-negative size");
        }
        boolean external = node.path("urls").isArray() && !node.path("urls").isEmpty();
        return new Descriptor(digest, size.asLong(), external);
    }

    private static DistributionException invalid(String message) {
        return new DistributionException(ErrorCode.MANIFEST_INVALID, "manifest invalid: " + message);
    }
}
