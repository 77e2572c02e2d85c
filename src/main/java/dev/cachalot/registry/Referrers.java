package dev.cachalot.registry;

/** The body of a referrers answer: an OCI image index (JSON bytes), and whether an {@code artifactType} filter was applied. */
public record Referrers(byte[] index, boolean filtered) {
}
