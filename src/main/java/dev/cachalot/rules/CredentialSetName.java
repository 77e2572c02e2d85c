package dev.cachalot.rules;

import java.util.regex.Pattern;

/**
 * The one rule for credential set names, used wherever a name comes in: creation (engine, CLI, the app's wizards)
 * and import. ACR's rule is 5 to 50 letters, digits and hyphens; ours also wants a letter or digit first, because
 * a name that starts with a hyphen reads as an option on every command line that takes it
 * ({@code --credential-set -hub-creds}). It lives in {@code rules} rather than {@code credentials} because rules
 * and their importer name credential sets too, and the app may not reach into {@code credentials}.
 */
public final class CredentialSetName {

    public static final int MIN_LENGTH = 5;
    public static final int MAX_LENGTH = 50;
    private static final Pattern FORM = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]*");
    private static final int SHOWN_LENGTH = 60;

    private CredentialSetName() {
    }

    /** Why {@code name} is not a valid credential set name; null when it is. The name is taken as given (not stripped). */
    public static String problem(String name) {
        if (name == null || name.isBlank()) return "a credential set needs a name";
        String shown = name.length() > SHOWN_LENGTH ? name.substring(0, SHOWN_LENGTH - 3) + "..." : name;
        if (!FORM.matcher(name).matches()) {
            return "credential set name '" + shown + "' may contain only letters, digits and hyphens, starting with a letter or digit";
        }
        if (name.length() < MIN_LENGTH || name.length() > MAX_LENGTH) {
            return "credential set name '" + shown + "' must be " + MIN_LENGTH + " to " + MAX_LENGTH
                    + " characters long (it has " + name.length() + ")";
        }
        return null;
    }

    public static boolean isValid(String name) {
        return problem(name) == null;
    }
}
