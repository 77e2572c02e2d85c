package dev.cachalot.rules;

import dev.cachalot.oci.RepositoryName;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Checks shared by rule sources and targets: a path of lowercase OCI components, optionally ending in a
 * {@code /*} wildcard. Each check returns one precise sentence, or null when the path is fine.
 */
final class RepositoryPaths {

    static final String WILDCARD_SUFFIX = "/*";
    private static final Pattern COMPONENT = Pattern.compile(RepositoryName.COMPONENT);

    private RepositoryPaths() {
    }

    static boolean isWildcard(String path) {
        return path.equals("*") || path.endsWith(WILDCARD_SUFFIX);
    }

    /** The part a wildcard covers: {@code library} for {@code library/*}, empty for {@code *}. */
    static String wildcardPrefix(String wildcard) {
        return wildcard.equals("*") ? "" : wildcard.substring(0, wildcard.length() - WILDCARD_SUFFIX.length());
    }

    /**
     * Why {@code path} (a repository path without login server, wildcard suffix already removed) is not a lowercase OCI
     * name; null when it is. {@code role} names the field ("source repository", "target repository"), {@code shown}
     * the value as the user wrote it.
     */
    static String pathProblem(String path, String role, String shown) {
        if (path.indexOf('@') >= 0 || path.indexOf(':') >= 0) {
            return "a tag or digest is not allowed in a rule's " + role + ": '" + shown + "'";
        }
        if (path.indexOf('*') >= 0) {
            return "a wildcard may only end a rule's " + role + ", as '/*': '" + shown + "'";
        }
        if (!path.equals(path.toLowerCase(Locale.ROOT))) {
            return "a rule's " + role + " must be lowercase: '" + shown + "'";
        }
        if (path.length() > RepositoryName.MAX_LENGTH) {
            return "a rule's " + role + " may be at most " + RepositoryName.MAX_LENGTH + " characters long: '" + abbreviate(shown) + "'";
        }
        if (path.isEmpty() || path.startsWith("/") || path.endsWith("/") || path.contains("//")) {
            return "a rule's " + role + " has an empty path component: '" + shown + "'";
        }
        for (String component : path.split("/")) {
            if (!COMPONENT.matcher(component).matches()) {
                return "'" + component + "' in the rule's " + role + " '" + shown
                        + "' is not a valid path component: use lowercase letters and digits, separated by '.', '_', '__' or '-'";
            }
        }
        return null;
    }

    static String abbreviate(String value) {
        String s = value.length() > 300 ? value.substring(0, 300) + "…" : value;
        // Control and invisible formatting characters (bidi overrides) could disguise a value in a message.
        return s.replaceAll("[\\p{Cntrl}\\p{Cf}]", "?");
    }
}
