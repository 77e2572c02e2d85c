package dev.cachalot.storage;

/** Where a cached repository comes from: the rule that resolved it and the upstream repository it mirrors. */
public record RepositoryOrigin(String ruleName, String upstreamRepository) {
}
