package dev.cachalot.rules;

/**
 * Normalizes what users write as a rule's source: {@code nginx}, {@code docker.io/nginx} and
 * {@code registry-1.docker.io/library/nginx} all become {@code docker.io/library/nginx}; wildcards keep their
 * {@code /*}. Lowercase, tag or digest, empty parts are refused with a precise message.
 */
public final class SourceRepositories {
    private SourceRepositories() {
    }

    /** @throws RuleValidationException with the reason when {@code source} is not a valid source repository */
    public static String normalize(String source) {
        throw new UnsupportedOperationException("written by the rules work");
    }

    /** The login server part of a normalized source ({@code docker.io}). */
    public static String loginServer(String normalizedSource) {
        throw new UnsupportedOperationException("written by the rules work");
    }
}
