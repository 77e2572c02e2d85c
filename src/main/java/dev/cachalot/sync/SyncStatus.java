package dev.cachalot.sync;

import java.time.Instant;

/**
 * A rule's sync as the portal shows it: its last run (by whichever node or command ran it), the next scheduled one,
 * and the run going on in this engine now.
 *
 * @param active          whether the rule's policy is active (scheduled)
 * @param lastStartedAt   null when it never ran
 * @param lastFinishedAt  null when it never finished (or runs now)
 * @param lastOutcome     {@link Outcome#RUNNING} while a run is going on anywhere, {@link Outcome#INTERRUPTED} once
 *                        the engine running it is found gone; null when it never ran
 * @param lastSummary     the last run's {@link SyncReport#summary()}, or why it failed
 * @param nextRunAt       when the scheduler runs it next; null for a passive rule
 * @param running         the progress of a run in this engine, or null
 */
public record SyncStatus(String ruleName, boolean active, Instant lastStartedAt, Instant lastFinishedAt, Outcome lastOutcome,
                         String lastSummary, Instant nextRunAt, SyncProgress running) {

    public enum Outcome {
        RUNNING,
        /** Every selected tag is cached. */
        SUCCEEDED,
        /** Some tag or repository failed; see the summary. */
        FAILED,
        CANCELLED,
        /**
         * The engine running it stopped before the end (killed, or the machine lost power) and could not record how it
         * ended; some tags may be cached. The schedule goes on from its start as after any run.
         */
        INTERRUPTED
    }
}
