package dev.cachalot.engine;

/**
 * What one garbage collection removed (or, for a dry run, would remove) from the blob store, for the CLI's
 * {@code gc} and the management API.
 *
 * @param dryRun        nothing was deleted: the counts say what a collection would delete now
 * @param examined      blobs in the store
 * @param removed       unreferenced blobs deleted
 * @param bytesRemoved  their bytes
 * @param keptRecent    blobs committed within the grace period, which no collection touches yet
 * @param keptBeingRead unreferenced blobs kept because an engine is serving them; a later collection removes them
 * @param grace         the grace period, ISO-8601 ({@code PT1H})
 */
public record GarbageCollectionReport(boolean dryRun, int examined, int removed, long bytesRemoved, int keptRecent,
                                      int keptBeingRead, String grace) {
}
