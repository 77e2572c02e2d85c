package dev.cachalot.engine;

import java.time.Instant;
import java.util.List;

/** A tag of a repository with what it points at. {@code platforms} lists {@code os/arch[/variant]} for an index. */
public record TagView(String tag, String digest, String mediaType, List<String> platforms, long sizeBytes,
                      Instant lastPulled, long pullCount) {
}
