package dev.cachalot.security;

import java.time.Instant;

/**
 * A user of a server-mode engine. The password exists only as its bcrypt hash; {@link #toString()} leaves even that out.
 *
 * @param repositories which repositories the role applies to
 */
public record User(String name, Role role, RepositoryPattern repositories, String passwordHash, Instant created) {

    /** 1–64 characters: letters, digits, and {@code . _ -} inside; the same shape as registry logins elsewhere. */
    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9._-]{0,62}[A-Za-z0-9])?");

    public static String checkName(String name, String what) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid " + what + " '" + (name == null ? "" : Printable.of(name))
                    + "': use 1-64 letters, digits, '.', '_' or '-' (starting and ending with a letter or digit)");
        }
        return name;
    }

    @Override
    public String toString() {
        return "User[" + name + ", " + role.label() + ", " + repositories + "]";
    }
}
