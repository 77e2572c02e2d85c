package dev.cachalot.sync;

/**
 * What a sync run did with one tag.
 *
 * @param digest    what the upstream's tag pointed at, or null when that could not be learnt
 * @param manifests manifests fetched (a dry run: that it would fetch)
 * @param blobs     blobs fetched (a dry run: that it would fetch)
 * @param bytes     bytes fetched from the upstream for this tag (a dry run: that it would fetch)
 * @param detail    why it failed or was skipped; null otherwise
 */
public record SyncedTag(String repository, String tag, String digest, Action action, int manifests, int blobs, long bytes,
                        String detail) {

    public enum Action {
        /** Fetched (new, moved, or incomplete before) and now cached whole. */
        FETCHED,
        /** The cache had it whole, as the upstream has it now. */
        UNCHANGED,
        /** A dry run: would be fetched. */
        WOULD_FETCH,
        /** Left out by the rule's platform or artifact-type filter. */
        SKIPPED,
        /** Not cached: see {@link #detail}. */
        FAILED;

        /** How the CLI and the portal name it to a person: "would fetch". */
        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
        }
    }
}
