package dev.cachalot.registry;


import dev.cachalot.oci.Digest;
/**
 * A manifest ready to send: exactly the bytes the upstream (or the pushing client) produced.
 * {@code digest} is the digest of {@code body}; {@code mediaType} goes in {@code Content-Type} unchanged.
 */
public record ManifestResult(byte[] body, String mediaType, Digest digest, ContentOrigin origin) {
}
