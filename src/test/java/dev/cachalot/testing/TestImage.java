package dev.cachalot.testing;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A generated image, index or artifact: the exact manifest bytes and every digest and size, so tests can check
 * what they pull.
 *
 * @param mediaType the manifest's media type (also the {@code Content-Type} to push it with)
 * @param manifest the manifest bytes, byte for byte as pushed
 * @param digest the manifest's digest
 * @param config the config blob (null for an index)
 * @param layers the layer blobs in order (empty for an index)
 * @param platformImages the platform manifests of an index, in order (empty otherwise)
 * @param platform the platform of an image (null for an index)
 * @param subject the manifest an artifact refers to (null otherwise)
 * @param artifactType an artifact's {@code artifactType} (null otherwise)
 */
public record TestImage(String mediaType, byte[] manifest, String digest, TestBlob config, List<TestBlob> layers,
                        List<TestImage> platformImages, Platform platform, TestImage subject, String artifactType) {

    /** An OS and CPU architecture, as in an index's {@code platform}. */
    public record Platform(String os, String architecture) {
        public static final Platform LINUX_AMD64 = new Platform("linux", "amd64");
        public static final Platform LINUX_ARM64 = new Platform("linux", "arm64");
    }

    public boolean isIndex() {
        return !platformImages.isEmpty();
    }

    public long manifestSize() {
        return manifest.length;
    }

    /** The platform manifest of an index for {@code architecture}. */
    public TestImage platformImage(String architecture) {
        return platformImages.stream().filter(i -> i.platform().architecture().equals(architecture)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no platform " + architecture + " in " + digest));
    }

    /** Config and layer blobs of this image, or of every platform image of an index (distinct, in order). */
    public List<TestBlob> blobs() {
        Set<TestBlob> all = new LinkedHashSet<>();
        if (config != null) {
            all.add(config);
        }
        all.addAll(layers);
        for (TestImage child : platformImages) {
            all.addAll(child.blobs());
        }
        return List.copyOf(all);
    }

    /** This manifest and, for an index, its platform manifests. */
    public List<TestImage> manifests() {
        List<TestImage> all = new ArrayList<>();
        all.add(this);
        all.addAll(platformImages);
        return all;
    }

    /** The manifest as a blob-like descriptor (for a subject, or for an index entry). */
    public TestBlob asDescriptor() {
        return new TestBlob(digest, manifest.length, mediaType, manifest, null);
    }

    @Override
    public String toString() {
        return "TestImage[" + mediaType + " " + digest + ", " + blobs().size() + " blobs"
                + (isIndex() ? ", " + platformImages.size() + " platforms" : "") + "]";
    }
}
