package dev.cachalot.registry;


import dev.cachalot.oci.Digest;
/**
 * A manifest a client pushed and the registry stored.
 *
 * @param digest  the digest of the bytes exactly as pushed
 * @param subject the manifest's {@code subject} digest, or null (answered in the {@code OCI-Subject} header)
 */
public record PushedManifest(Digest digest, Digest subject) {
}
