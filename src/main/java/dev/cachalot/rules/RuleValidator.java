package dev.cachalot.rules;

import java.util.List;
import java.util.function.Predicate;

/** The checks a rule must pass to be added to a set of rules (ACR's, and the overlap rules of DESIGN.md). */
public final class RuleValidator {

    public static final int MAX_RULES = 1000;

    public RuleValidator(UpstreamCatalog catalog) {
        throw new UnsupportedOperationException("written by the rules work");
    }

    /**
     * Why {@code candidate} (already normalized) cannot join {@code existing}; empty when it can.
     *
     * @param repositoryExistsUnder answers whether a local repository exists at a name, or for a wildcard
     *                              target's prefix, under it (see {@code ManifestIndex.anyRepositoryUnder})
     */
    public List<String> problems(CacheRule candidate, List<CacheRule> existing, Predicate<String> repositoryExistsUnder) {
        throw new UnsupportedOperationException("written by the rules work");
    }
}
