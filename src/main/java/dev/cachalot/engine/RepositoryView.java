package dev.cachalot.engine;

import java.time.Instant;

/** A repository in the cache. {@code cached}: through a rule (else a plain local repository). */
public record RepositoryView(String name, boolean cached, String ruleName, String upstream, int tagCount,
                             long sizeBytes, Instant lastPulled, long pullCount) {
}
