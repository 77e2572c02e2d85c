package dev.cachalot.credentials;

import java.util.regex.Pattern;

/**
 * Secret identifiers as credential sets reference them: {@code vault:<name>}, the name being
 * {@code [a-z0-9][a-z0-9-]{0,62}}.
 */
public final class SecretId {

    public static final String PREFIX = "vault:";
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    private SecretId() {
    }

    /** {@code vault:<name>}. */
    public static String of(String name) {
        requireValidName(name);
        return PREFIX + name;
    }

    /** The name inside {@code vault:<name>}. */
    public static String name(String secretId) {
        String problem = problem(secretId);
        if (problem != null) throw new IllegalArgumentException(problem);
        return secretId.substring(PREFIX.length());
    }

    /** Why {@code secretId} is not a valid {@code vault:<name>}; null when it is. */
    public static String problem(String secretId) {
        if (secretId == null || secretId.isBlank()) return "a secret identifier is empty";
        if (!secretId.startsWith(PREFIX)) {
            return "secret identifier '" + shown(secretId) + "' must look like vault:<name>";
        }
        return nameProblem(secretId.substring(PREFIX.length()));
    }

    /** Why {@code name} is not a valid secret name; null when it is. */
    public static String nameProblem(String name) {
        if (name == null || name.isEmpty()) return "a secret name is empty";
        if (!NAME.matcher(name).matches()) {
            return "secret name '" + shown(name) + "' must be 1 to 63 lowercase letters, digits and hyphens, "
                    + "starting with a letter or digit";
        }
        return null;
    }

    static void requireValidName(String name) {
        String problem = nameProblem(name);
        if (problem != null) throw new IllegalArgumentException(problem);
    }

    static String nameOrSelf(String secretId) {
        return secretId != null && secretId.startsWith(PREFIX) ? secretId.substring(PREFIX.length()) : String.valueOf(secretId);
    }

    /** Identifiers and names are not secret, but keep what is echoed short. */
    private static String shown(String s) {
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }
}
