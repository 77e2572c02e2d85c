package dev.cachalot.engine;

import java.time.Instant;

/**
 * How a cache rule is doing, for the portal's rules table: its last image pull and its upstream's last check.
 *
 * @param lastPullAt    when the last image pull through the rule started; null if none in the kept statistics
 * @param lastPullError why that pull failed, or null when it was served
 * @param upstream      the last check of the rule's upstream since the engine started; null if not checked yet
 */
public record RuleState(String rule, Instant lastPullAt, String lastPullReference, String lastPullError,
                        UpstreamCheck upstream) {

    public boolean pulled() {
        return lastPullAt != null;
    }

    public boolean lastPullFailed() {
        return lastPullAt != null && lastPullError != null;
    }
}
