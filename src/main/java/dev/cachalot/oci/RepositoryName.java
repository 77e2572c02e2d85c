package dev.cachalot.oci;

import java.util.regex.Pattern;

/**
 * A repository name as the OCI Distribution Spec defines it: lowercase path components
 * ({@code [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*}) joined by {@code /}, at most 255 characters.
 * Validated before anything touches a file path, so an instance can never contain {@code ..},
 * an encoded separator, a backslash or an absolute path.
 */
public record RepositoryName(String value) implements Comparable<RepositoryName> {

    public static final int MAX_LENGTH = 255;
    public static final String COMPONENT = "[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*";
    private static final Pattern NAME = Pattern.compile(COMPONENT + "(?:/" + COMPONENT + ")*");

    public RepositoryName {
        if (!isValid(value)) {
            throw new DistributionException(ErrorCode.NAME_INVALID, describeProblem(value));
        }
    }

    public static RepositoryName of(String value) {
        return new RepositoryName(value);
    }

    public static boolean isValid(String value) {
        return value != null && !value.isEmpty() && value.length() <= MAX_LENGTH && NAME.matcher(value).matches();
    }

    /** A human-readable reason why {@code value} is not a valid repository name. */
    public static String describeProblem(String value) {
        if (value == null || value.isEmpty()) return "repository name is empty";
        String shown = value.length() > 80 ? value.substring(0, 80) + "…" : value;
        shown = shown.replaceAll("[^\\x20-\\x7e]", "?");
        if (value.length() > MAX_LENGTH) return "repository name is longer than " + MAX_LENGTH + " characters";
        if (value.contains(":") || value.contains("@")) {
            return "invalid repository name '" + shown + "': a tag or digest is not part of a repository name";
        }
        if (!value.equals(value.toLowerCase(java.util.Locale.ROOT))) {
            return "invalid repository name '" + shown + "': must be lowercase";
        }
        return "invalid repository name '" + shown
                + "': path components must be lowercase letters and digits, separated by '.', '_', '__' or '-', joined by '/'";
    }

    @Override
    public int compareTo(RepositoryName o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
