package dev.cachalot.sync;

import dev.cachalot.oci.ReferrersTag;

/**
 * One sync run asked for now.
 *
 * @param tag    null: every tag the rule's filter takes; else only this tag (taken whether or not the filter would), never
 *               a referrers tag ({@link ReferrersTag}): referrers come with their images, by the rule's referrers setting
 * @param dryRun look, store nothing: report what the run would fetch (manifests are read from the upstream to size it;
 *               no blob is downloaded)
 */
public record SyncRequest(String tag, boolean dryRun) {

    /** A whole run, for real. */
    public static final SyncRequest ALL = new SyncRequest(null, false);

    public SyncRequest {
        if (tag != null && tag.isBlank()) tag = null;
        if (tag != null && !tag.strip().matches("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}")) {
            throw new IllegalArgumentException("'" + tag.strip() + "' is not a tag (up to 128 letters, digits, '_', '.', '-')");
        }
        if (tag != null) tag = tag.strip();
        if (ReferrersTag.isReferrersTag(tag)) {
            throw new IllegalArgumentException("'" + tag + "' is a referrers tag, not an image's: a rule syncs referrers with"
                    + " their images when its sync referrers setting is on");
        }
    }
}
