package dev.cachalot.engine;

/**
 * A rule as a user types it. {@code sourceRepository} may be short ({@code nginx}, {@code docker.io/nginx}):
 * it is normalized ({@code docker.io/library/nginx}). {@code freshness} null means the default.
 */
public record RuleDraft(String name, String sourceRepository, String targetRepository, String credentialSet, String freshness) {
}
