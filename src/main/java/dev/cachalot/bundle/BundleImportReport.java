package dev.cachalot.bundle;

import java.util.List;

/**
 * What an import loaded. {@code images}: distinct tagged manifests; {@code tags}: tags created or moved;
 * {@code manifests}: manifests recorded (indexes, platform images, referrers); {@code blobs} and {@code bytes}: blobs
 * and manifests newly stored; {@code alreadyPresent}: those this cache held already (verified, not stored again);
 * {@code repositories}: where each repository went.
 */
public record BundleImportReport(int images, int tags, int manifests, int blobs, long bytes, int alreadyPresent,
                                 List<Destination> repositories) {

    public BundleImportReport {
        repositories = List.copyOf(repositories);
    }

    /** A repository of the bundle and where it was loaded: under a rule ({@code ruleName}) or as a local repository (null). */
    public record Destination(String repository, String ruleName, String upstreamRepository) {
    }
}
