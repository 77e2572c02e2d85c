package dev.cachalot.oci;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** What the cache needs to know from a manifest's JSON: its artifact type, subject, and the descriptors it points at. */
public record ManifestFacts(String mediaType, String artifactType, Digest subject, List<Descriptor> children, List<Descriptor> blobs) {

    public record Descriptor(String mediaType, Digest digest, long size, String platform) {
    }

    /**
     * Reads a manifest. {@code declaredType} (the upstream's Content-Type) wins over the body's {@code mediaType},
     * since the body's field is optional in OCI.
     */
    public static ManifestFacts parse(byte[] body, String declaredType) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(body);
        } catch (IOException e) {
            throw new DistributionException(ErrorCode.MANIFEST_INVALID, "manifest is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new DistributionException(ErrorCode.MANIFEST_INVALID, "manifest is not a JSON object");
        }
        String mediaType = declaredType != null && !declaredType.isBlank() ? declaredType : root.path("mediaType").asText(null);
        String artifactType = root.path("artifactType").asText(null);
        if (artifactType == null && root.path("config").isObject()) {
            String configType = root.path("config").path("mediaType").asText(null);
            if (configType != null && !configType.equals(MediaTypes.OCI_EMPTY) && !configType.startsWith("application/vnd.oci.image.config")
                    && !configType.startsWith("application/vnd.docker.container.image")) {
                artifactType = configType;
            }
        }
        Digest subject = root.path("subject").isObject() ? digestOrNull(root.path("subject").path("digest").asText(null)) : null;
        List<Descriptor> children = new ArrayList<>();
        for (JsonNode m : root.path("manifests")) {
            Digest d = digestOrNull(m.path("digest").asText(null));
            if (d == null) continue;
            JsonNode p = m.path("platform");
            String platform = p.isObject() ? p.path("os").asText("?") + "/" + p.path("architecture").asText("?")
                    + (p.hasNonNull("variant") ? "/" + p.path("variant").asText() : "") : null;
            children.add(new Descriptor(m.path("mediaType").asText(null), d, m.path("size").asLong(-1), platform));
        }
        List<Descriptor> blobs = new ArrayList<>();
        JsonNode config = root.path("config");
        if (config.isObject()) {
            Digest d = digestOrNull(config.path("digest").asText(null));
            if (d != null) blobs.add(new Descriptor(config.path("mediaType").asText(null), d, config.path("size").asLong(-1), null));
        }
        for (JsonNode l : root.path("layers")) {
            Digest d = digestOrNull(l.path("digest").asText(null));
            if (d != null) blobs.add(new Descriptor(l.path("mediaType").asText(null), d, l.path("size").asLong(-1), null));
        }
        return new ManifestFacts(mediaType, artifactType, subject, List.copyOf(children), List.copyOf(blobs));
    }

    public boolean isIndex() {
        return MediaTypes.isIndex(mediaType);
    }

    private static Digest digestOrNull(String text) {
        if (text == null) return null;
        try {
            return Digest.parse(text);
        } catch (DistributionException e) {
            return null;
        }
    }
}
