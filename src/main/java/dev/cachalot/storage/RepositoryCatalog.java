package dev.cachalot.storage;

import dev.cachalot.oci.RepositoryName;
import java.util.List;
import java.util.Optional;

/**
 * The repositories as a whole: listing them with their counts for the cache browser, finding names taken under a
 * prefix for rule validation, and deleting one with everything it holds.
 *
 * <p>Concurrency: safe from any number of threads and processes; each call is atomic. A listing is a consistent
 * snapshot of one moment. Missing things: lookups answer empty or false; deleting an absent repository does nothing.
 */
public interface RepositoryCatalog {

    /** Every repository with its counts, ordered by name. */
    List<RepositorySummary> repositories();

    /** One repository with its counts; empty if it does not exist. */
    Optional<RepositorySummary> repository(RepositoryName name);

    /**
     * True if a repository of {@code kind} is named {@code prefix} or lies under {@code prefix + "/"}; an empty prefix
     * asks for any repository of that kind. The prefix is matched literally ({@code _} and {@code %} are plain
     * characters), and only at path boundaries ({@code lib} is not under {@code library}).
     */
    boolean anyRepositoryUnder(String prefix, RepositoryKind kind);

    /**
     * Forgets a repository with its tags, manifests and blob links, in one step: nobody sees it half deleted. The
     * bytes stay until garbage collection. Does nothing for an absent repository.
     */
    void deleteRepository(RepositoryName repository);
}
