package dev.cachalot.bundle;

import java.util.List;

/**
 * What an export wrote. {@code tags}: the {@code REPOSITORY:TAG} ref names in the bundle; {@code manifests} and
 * {@code blobs}: distinct digests written (indexes and referrers count as manifests); {@code bytes}: their sizes;
 * {@code skipped}: selected tags left out, each with why (not fully cached, say).
 */
public record BundleExportReport(List<String> tags, int manifests, int blobs, long bytes, List<Skipped> skipped) {

    public BundleExportReport {
        tags = List.copyOf(tags);
        skipped = List.copyOf(skipped);
    }

    /** A selected tag that is not in the bundle. */
    public record Skipped(String refName, String reason) {
    }
}
