package dev.cachalot.storage;

import dev.cachalot.oci.Digest;
import dev.cachalot.oci.RepositoryName;
import java.time.Instant;
import java.util.List;

/** The pull counters of repositories, tags and manifests, kept from batches of pull events. */
public interface PullCounters {

    /**
     * Adds each count to its repository, its manifest and, when pulled by tag, its tag, all in one atomic step;
     * {@code lastPulledAt} takes the count's time only if later than the one recorded, so batches may arrive out of
     * order. Counts for a repository, manifest or tag that no longer exists are dropped silently (it was deleted
     * between the pull and this call). Safe from any thread.
     */
    void recordPulls(List<PullCount> counts);

    /** One pull, as {@link #recordPulls} of a single count. */
    default void recordPull(RepositoryName repository, String tagOrNull, Digest digest, Instant at) {
        recordPulls(List.of(new PullCount(repository, tagOrNull, digest, 1, at)));
    }
}
