package dev.cachalot.sync;

import java.time.Instant;

/**
 * A rule's sync as the portal shows it: its last run (by whichever node or command ran it), the next scheduled one,
 * and the run going on in this engine now.
 *
 * @param active          whether the rule's policy is active (scheduled)
 * @param lastStartedAt   null when it never ran
 * @param lastFinishedAt  null when it never finished (or runs now)
 * @param lastOutcome     {@link Outcome#RUNNING} while a run is going on anywhere; null when it never ran
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
        CANCELLED
    }
}
