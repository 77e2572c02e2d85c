package dev.cachalot.registry;

/**
 * A manifest a client pushed and the registry stored.
 *
 * @param digest  the digest of the bytes exactly as pushed
 * @param subject the manifest's {@code subject} digest, or null (answered in the {@code OCI-Subject} header)
 */
public record PushedManifest(Digest digest, Digest subject) {
}
