package dev.cachalot.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cachalot.oci.Digest;
import dev.cachalot.oci.DistributionException;
import dev.cachalot.oci.Json;
import dev.cachalot.oci.MediaTypes;
import java.io.IOException;
import java.util.Set;

/**
 * Checks that an upstream's manifest answer is a manifest before anything stores it. An upstream (or a proxy or
 * captive portal in front of it) can answer 200 with anything: an HTML page, a blob, 4 MiB of noise. Its digest then
 * matches itself, so the digest check alone would cache it as a manifest and serve it for good. What passes here:
 * <ul>
 *   <li>a media type the image and distribution specs define for manifests and indexes, from {@code Content-Type},
 *       or from the body's {@code mediaType} when {@code Content-Type} is missing or generic; when both are there
 *       they must agree;</li>
 *   <li>a JSON object with {@code schemaVersion} 2 and the fields of its type: an index has a {@code manifests}
 *       array of descriptors, an image manifest a {@code config} descriptor and (if any) a {@code layers} array
 *       of descriptors. A descriptor has a valid digest and a non-negative size.</li>
 * </ul>
 * Docker's schema 1 is refused: the cache never asks for it (see the proxy's Accept), and it has no stable digest.
 */
final class ManifestShape {

    static final Set<String> MANIFEST_TYPES = Set.of(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX,
            MediaTypes.DOCKER_MANIFEST, MediaTypes.DOCKER_MANIFEST_LIST);
    /** Content types that say nothing about the manifest's type (some registries and static hosts send them). */
    private static final Set<String> GENERIC_TYPES = Set.of("application/json", "application/octet-stream", "text/plain");

    private ManifestShape() {
    }

    /**
     * @param contentType the upstream's {@code Content-Type} without parameters, or null
     * @return the manifest's media type
     * @throws UpstreamFailure {@code PROTOCOL} naming what is wrong, when the body is not a manifest
     */
    static String check(byte[] body, String contentType, String context) throws UpstreamFailure {
        JsonNode root;
        try {
            root = Json.mapper().readTree(body);
        } catch (IOException e) {
            throw refused(context, "the body is not JSON");
        }
        if (root == null || !root.isObject()) throw refused(context, "the body is not a JSON object");
        JsonNode bodyTypeNode = root.get("mediaType");
        String bodyType = bodyTypeNode != null && bodyTypeNode.isTextual() ? bodyTypeNode.asText() : null;
        boolean declared = contentType != null && !contentType.isBlank() && !GENERIC_TYPES.contains(contentType);
        String mediaType = declared ? contentType : bodyType;
        if (mediaType == null) throw refused(context, "neither Content-Type nor the body names a manifest media type");
        if (!MANIFEST_TYPES.contains(mediaType)) {
            throw refused(context, "media type " + mediaType + " is not a manifest or index type this cache stores");
        }
        if (bodyType != null && !bodyType.equals(mediaType)) {
            throw refused(context, "Content-Type " + mediaType + " does not match the body's mediaType " + bodyType);
        }
        JsonNode version = root.get("schemaVersion");
        if (version == null || !version.isIntegralNumber() || version.asInt() != 2) {
            throw refused(context, "schemaVersion is not 2");
        }
        if (MediaTypes.isIndex(mediaType)) {
            JsonNode manifests = root.get("manifests");
            if (manifests == null || !manifests.isArray()) throw refused(context, "an index without a manifests array");
            for (JsonNode m : manifests) descriptor(m, "manifests[]", context);
        } else {
            descriptor(root.get("config"), "config", context);
            JsonNode layers = root.get("layers");
            if (layers != null && !layers.isNull()) {
                if (!layers.isArray()) throw refused(context, "layers is not an array");
                for (JsonNode l : layers) descriptor(l, "layers[]", context);
            }
        }
        return mediaType;
    }

    private static void descriptor(JsonNode node, String where, String context) throws UpstreamFailure {
        if (node == null || !node.isObject()) throw refused(context, where + " is not a descriptor");
        JsonNode digest = node.get("digest");
        try {
            Digest.parse(digest != null && digest.isTextual() ? digest.asText() : null);
        } catch (DistributionException | IllegalArgumentException | NullPointerException e) {
            throw refused(context, where + " has no valid digest");
        }
        JsonNode size = node.get("size");
        if (size == null || !size.isIntegralNumber() || size.asLong() < 0) {
            throw refused(context, where + " has no valid size");
        }
    }

    private static UpstreamFailure refused(String context, String why) {
        return new UpstreamFailure(UpstreamException.Kind.PROTOCOL, 200, context + ": not a manifest (" + why + ")");
    }
}
