package dev.cachalot.testing;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * An image with two referrers on the upstream, an SBOM ({@link TestImages#TEST_ARTIFACT_TYPE}) and a signature
 * ({@link #SIGNATURE_TYPE}), found through the referrers tag {@link #referrersTag()} as on a registry without the
 * referrers API.
 */
public record SignedImage(TestImage image, TestImage sbom, TestImage signature) {

    public static final String SIGNATURE_TYPE = "application/vnd.example.signature.v1+json";

    public static SignedImage push(RegistryPusher pusher, TestImages images, String repository, String tag) {
        TestImage image = images.ociImage();
        pusher.push(repository, tag, image);
        TestImage sbom = images.artifactFor(image);
        TestImage signature = images.artifactFor(image, SIGNATURE_TYPE);
        pusher.push(repository, null, sbom);
        pusher.push(repository, null, signature);
        // docker-registry has no referrers API: the OCI 1.1 fallback, an index under the tag sha256-<hex of the subject>
        byte[] index = ("{\"schemaVersion\":2,\"mediaType\":\"" + TestImages.OCI_INDEX + "\",\"manifests\":["
                + entry(sbom) + "," + entry(signature) + "]}").getBytes(StandardCharsets.UTF_8);
        pusher.pushManifest(repository, referrersTag(image),
                new TestImage(TestImages.OCI_INDEX, index, Sha256.of(index), null, List.of(), List.of(), null, null, null));
        return new SignedImage(image, sbom, signature);
    }

    /** The tag of the image's referrers index: {@code sha256-<hex of its digest>}. */
    public String referrersTag() {
        return referrersTag(image);
    }

    private static String referrersTag(TestImage subject) {
        return "sha256-" + subject.digest().substring("sha256:".length());
    }

    /** Bytes a run fetches for {@code artifact}: its manifest and blobs. */
    public static long bytes(TestImage artifact) {
        return artifact.manifestSize() + artifact.blobs().stream().mapToLong(TestBlob::size).sum();
    }

    private static String entry(TestImage artifact) {
        return "{\"mediaType\":\"" + artifact.mediaType() + "\",\"digest\":\"" + artifact.digest() + "\",\"size\":"
                + artifact.manifestSize() + ",\"artifactType\":\"" + artifact.artifactType() + "\"}";
    }
}
