package dev.cachalot.security;

import dev.cachalot.oci.RepositoryName;

/**
 * Which repositories a user's role applies to, written as cache rule targets are: {@code *} (all, the default), a
 * namespace ending in {@code /*} ({@code team/*}: every repository below {@code team/}, at any depth), or one exact
 * repository name. Nothing else: a general glob would make {@code team*} also match {@code teammate/app}, which is
 * exactly the kind of surprise a permission must not have.
 */
public record RepositoryPattern(String text) {
    public static final RepositoryPattern ALL = new RepositoryPattern("*");

    public RepositoryPattern {
        if (text == null || text.isBlank()) {
            text = "*";
        }
        text = text.strip();
        if (!text.equals("*")) {
            String name = text.endsWith("/*") ? text.substring(0, text.length() - 2) : text;
            try {
                new RepositoryName(name);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("invalid repository pattern '" + text
                        + "': use *, a namespace such as team/*, or a repository name such as team/app");
            }
        }
    }

    public static RepositoryPattern parse(String text) {
        return new RepositoryPattern(text);
    }

    public boolean matches(String repository) {
        if (text.equals("*")) return true;
        if (text.endsWith("/*")) {
            return repository.startsWith(text.substring(0, text.length() - 1));
        }
        return repository.equals(text);
    }

    @Override
    public String toString() {
        return text;
    }
}
