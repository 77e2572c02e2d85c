package dev.cachalot.rules.io;

/**
 * A rule as it stands in a file, before normalization and validation. Fields are as written (null when absent).
 *
 * @param location     {@code rules.csv:3}, {@code rules.yaml:12} or {@code acr.json#/2}
 * @param creationDate ISO-8601 text, or null (the import then stamps the current time)
 * @param problem      why the entry could not be read as a rule at all (not an object, a field of the wrong
 *                     type), or null
 * @param sync         the rule's {@code sync} settings as written, or null (passive)
 */
public record RawRule(String location, String name, String sourceRepository, String targetRepository,
                      String credentialSet, String freshness, String creationDate, String problem, dev.cachalot.rules.SyncDraft sync) {

    public RawRule(String location, String name, String sourceRepository, String targetRepository,
                   String credentialSet, String freshness, String creationDate, String problem) {
        this(location, name, sourceRepository, targetRepository, credentialSet, freshness, creationDate, problem, null);
    }

    public RawRule(String location, String name, String sourceRepository, String targetRepository,
                   String credentialSet, String freshness, String creationDate) {
        this(location, name, sourceRepository, targetRepository, credentialSet, freshness, creationDate, null);
    }

    static RawRule unreadable(String location, String problem) {
        return new RawRule(location, null, null, null, null, null, null, problem);
    }
}
