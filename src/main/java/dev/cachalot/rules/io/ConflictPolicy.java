package dev.cachalot.rules.io;

import java.util.Locale;

/** What an import does with an entry whose name is already taken by an existing rule. */
public enum ConflictPolicy {
    /** Keep the existing rule, leave the entry out (not a refusal). */
    SKIP,
    /** Refuse the entry. */
    FAIL,
    /** Replace the existing rule with the entry, in the same transaction. */
    REPLACE;

    public static ConflictPolicy parse(String text) {
        try {
            return valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("unknown conflict policy '" + text + "': use skip, fail or replace");
        }
    }
}
