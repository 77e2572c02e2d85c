package dev.cachalot.security;

import java.util.Locale;

/** What a user may do: per repository ({@code pull}, {@code push}, {@code delete}), and the management API ({@code admin}). */
public enum Permission {
    PULL, PUSH, DELETE, ADMIN;

    /** The action's name in a token scope ({@code repository:NAME:pull,push}). */
    public String action() {
        return name().toLowerCase(Locale.ROOT);
    }
}
