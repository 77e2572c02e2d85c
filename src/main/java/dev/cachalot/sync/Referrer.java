package dev.cachalot.sync;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cachalot.oci.Digest;
import dev.cachalot.oci.DistributionException;
import dev.cachalot.oci.ErrorCode;
import dev.cachalot.oci.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** One entry of a referrers index: a manifest that names another as its subject, and its artifact type. */
record Referrer(Digest digest, String mediaType, String artifactType) {

    /** The entries of a referrers index (the API's answer or the fallback tag's index); malformed entries are left out. */
    static List<Referrer> listed(byte[] index) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(index);
        } catch (IOException e) {
            throw new DistributionException(ErrorCode.MANIFEST_INVALID, "the upstream's referrers index is not valid JSON");
        }
        List<Referrer> referrers = new ArrayList<>();
        for (JsonNode m : root.path("manifests")) {
            String digest = m.path("digest").asText(null);
            if (digest == null || !Digest.isDigest(digest)) continue;
            referrers.add(new Referrer(Digest.parse(digest), m.path("mediaType").asText(null), m.path("artifactType").asText(null)));
        }
        return referrers;
    }
}
