package dev.cachalot.upstream;

import dev.cachalot.oci.Digest;

/**
 * A manifest as the upstream sent it. {@code digest} is computed from {@code body} (the upstream's
 * {@code Docker-Content-Digest} is checked against it, never trusted alone).
 */
public record UpstreamManifest(byte[] body, String mediaType, Digest digest) {

    /** What a HEAD tells: the digest from {@code Docker-Content-Digest}, media type and size. */
    public record Head(Digest digest, String mediaType, long size) {
    }
}
