package dev.cachalot.rules;

/**
 * One entry of a rule import file after checking.
 *
 * @param location where it stands in the file: {@code rules.csv:3} or {@code acr.json#/2}
 * @param rule     the rule it became (may be null when it could not even be read as a rule, and for entries that
 *                 are not rules: credential sets and upstreams)
 * @param problem  why it is refused, or null when it is valid
 * @param action   what the import does (or did) with it
 * @param summary  what the entry became, printable: {@code name: source -> target [credential set]}, or a credential
 *                 set or upstream in words; null when it could not be read
 * @param note     why a valid entry is skipped or what the user still has to do (set a credential set's secrets),
 *                 or null
 */
public record ImportEntry(String location, CacheRule rule, String problem, Action action, String summary, String note) {

    /** What happens to an entry. */
    public enum Action {
        /** New: written by the import. */
        ADD,
        /** Replaces an existing rule of the same name. */
        REPLACE,
        /** Valid but left out: what it describes already exists. */
        SKIP,
        /** Refused: see {@link #problem()}. */
        REFUSE
    }

    public ImportEntry {
        if (action == null) action = problem == null ? Action.ADD : Action.REFUSE;
        if (summary == null && rule != null) summary = describe(rule);
    }

    public ImportEntry(String location, CacheRule rule, String problem) {
        this(location, rule, problem, null, null, null);
    }

    public boolean valid() {
        return problem == null;
    }

    /** {@code name: source -> target [credential set]}, as imports print a rule. */
    public static String describe(CacheRule rule) {
        return rule.name() + ": " + rule.sourceRepository() + " -> " + rule.targetRepository()
                + (rule.credentialSet() == null ? "" : " [" + rule.credentialSet() + "]");
    }
}
