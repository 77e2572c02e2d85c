package dev.cachalot.rules;

/**
 * One entry of a rule import file after checking.
 *
 * @param location where it stands in the file: {@code rules.csv:3} or {@code acr.json#/2}
 * @param rule     the rule it became (may be null when it could not even be read as a rule)
 * @param problem  why it is refused, or null when it is valid
 */
public record ImportEntry(String location, CacheRule rule, String problem) {
    public boolean valid() {
        return problem == null;
    }
}
