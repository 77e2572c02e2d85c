package dev.cachalot.sync;

/**
 * Where a running sync is: what a progress bar and a status line show.
 *
 * @param repository    the repository being synced now (local name), null before the first
 * @param tag           the tag being synced now, null between tags
 * @param tagsDone      tags finished so far (fetched, unchanged, skipped or failed), of {@code tagsSelected} known so far
 * @param tagsSelected  tags selected so far over the repositories listed up to now (grows as repositories are listed)
 * @param bytes         bytes fetched from the upstream so far (a dry run: bytes it would fetch)
 */
public record SyncProgress(String ruleName, String repository, String tag, int tagsDone, int tagsSelected, long bytes) {
}
