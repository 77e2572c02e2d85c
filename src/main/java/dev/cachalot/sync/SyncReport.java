package dev.cachalot.sync;

import java.time.Instant;
import java.util.List;

/**
 * The result of one sync run of a rule.
 *
 * @param repositories the repositories the run looked at (local names)
 * @param tags         every selected tag and what became of it, in the order synced
 * @param errors       what went wrong, one sentence each (a repository that could not be listed, a failed tag)
 * @param pauses       each time the run waited for an upstream's limits, one sentence each (how long, and why)
 * @param cancelled    the run was stopped before it finished; tags not reached are not in {@link #tags}
 */
public record SyncReport(String ruleName, boolean dryRun, Instant startedAt, Instant finishedAt, List<String> repositories,
                         List<SyncedTag> tags, List<String> errors, List<String> pauses, boolean cancelled) {

    public SyncReport {
        repositories = List.copyOf(repositories);
        tags = List.copyOf(tags);
        errors = List.copyOf(errors);
        pauses = List.copyOf(pauses);
    }

    public int tagsSelected() {
        return tags.size();
    }

    public int tagsFetched() {
        return count(SyncedTag.Action.FETCHED);
    }

    public int tagsUnchanged() {
        return count(SyncedTag.Action.UNCHANGED);
    }

    /** A dry run's tags that a real run would fetch. */
    public int tagsToFetch() {
        return count(SyncedTag.Action.WOULD_FETCH);
    }

    public int tagsSkipped() {
        return count(SyncedTag.Action.SKIPPED);
    }

    public int tagsFailed() {
        return count(SyncedTag.Action.FAILED);
    }

    public int manifests() {
        return tags.stream().mapToInt(SyncedTag::manifests).sum();
    }

    public int blobs() {
        return tags.stream().mapToInt(SyncedTag::blobs).sum();
    }

    public long bytes() {
        return tags.stream().mapToLong(SyncedTag::bytes).sum();
    }

    /**
     * Whether every selected tag is cached now (a dry run: would be, i.e. nothing stood in the way): no error, not
     * cancelled. Tags the platform or artifact-type filter leaves out do not count against it.
     */
    public boolean complete() {
        return errors.isEmpty() && !cancelled && tagsFailed() == 0;
    }

    private int count(SyncedTag.Action action) {
        return (int) tags.stream().filter(t -> t.action() == action).count();
    }

    /** One line: what the portal's last-run column and the status table show. */
    public String summary() {
        String verb = dryRun ? "would fetch " + tagsToFetch() : "fetched " + tagsFetched();
        String s = tagsSelected() + " tags in " + repositories.size() + (repositories.size() == 1 ? " repository" : " repositories")
                + ": " + verb + ", " + tagsUnchanged() + " unchanged"
                + (tagsSkipped() > 0 ? ", " + tagsSkipped() + " skipped" : "")
                + (tagsFailed() > 0 ? ", " + tagsFailed() + " failed" : "")
                + "; " + manifests() + " manifests, " + blobs() + " blobs, " + bytes() + " bytes";
        if (!pauses.isEmpty()) s += "; paused " + pauses.size() + (pauses.size() == 1 ? " time" : " times") + " for the upstream's limits";
        if (cancelled) s += "; cancelled";
        if (!errors.isEmpty()) s += "; first error: " + errors.get(0);
        return s;
    }
}
