package dev.cachalot.engine;

import dev.cachalot.rules.SyncDraft;

/**
 * A rule as a user types it. {@code sourceRepository} may be short ({@code nginx}, {@code docker.io/nginx}):
 * it is normalized ({@code docker.io/library/nginx}). {@code freshness} null means the default; {@code sync} null (or
 * null fields) means passive with the default sync settings.
 */
public record RuleDraft(String name, String sourceRepository, String targetRepository, String credentialSet, String freshness,
                        SyncDraft sync) {

    /** A passive rule. */
    public RuleDraft(String name, String sourceRepository, String targetRepository, String credentialSet, String freshness) {
        this(name, sourceRepository, targetRepository, credentialSet, freshness, null);
    }
}
