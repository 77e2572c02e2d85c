package dev.cachalot.app.rules;

import java.util.Locale;

/**
 * The full source repository a user means, shown live as they type. Docker Hub's official images live under
 * {@code library/}: on {@code docker.io} a single-component path gets it ({@code nginx} → {@code docker.io/library/nginx}),
 * so users never have to know. The engine normalizes the same way when the rule is created.
 */
public final class SourcePreview {
    public static final String DOCKER_HUB = "docker.io";

    private SourcePreview() {
    }

    /** The path as the upstream knows it: trimmed, without leading/trailing slashes, with {@code library/} for Docker Hub. */
    public static String upstreamPath(String loginServer, String path, boolean wildcard) {
        String p = trimSlashes(path == null ? "" : path.strip());
        if (p.endsWith("/*")) p = p.substring(0, p.length() - 2);
        if (p.equals("*")) p = "";
        // "library" alone is the official images' namespace itself, never an image: not doubled into library/library
        if (DOCKER_HUB.equals(loginServer) && !p.isEmpty() && !p.contains("/") && !wildcard && !p.equals("library")) {
            p = "library/" + p;
        }
        return p;
    }

    /** {@code <login server>/<path>}, ending in {@code /*} for "all repositories under this path". */
    public static String fullSource(String loginServer, String path, boolean wildcard) {
        String p = upstreamPath(loginServer, path, wildcard);
        String base = p.isEmpty() ? loginServer : loginServer + "/" + p;
        return wildcard ? base + "/*" : base;
    }

    /** A local target namespace for the path: the path as typed ({@code nginx}, {@code bitnami/*}; a whole registry: {@code *}). */
    public static String suggestTarget(String path, boolean wildcard) {
        String p = trimSlashes(path == null ? "" : path.strip()).toLowerCase(Locale.ROOT);
        if (p.endsWith("/*")) p = p.substring(0, p.length() - 2);
        if (p.equals("*")) p = "";
        if (wildcard) return p.isEmpty() ? "*" : p + "/*";
        return p;
    }

    /** A rule name from the target: letters, digits and hyphens, 5 to 50 characters. */
    public static String suggestName(String target) {
        String base = (target == null ? "" : target).replace("/*", "-all").replace("*", "all")
                .replaceAll("[^A-Za-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (base.isEmpty()) return "";
        if (base.length() < 5) base = base + "-cache";
        return base.length() > 50 ? base.substring(0, 50).replaceAll("-+$", "") : base;
    }

    private static String trimSlashes(String s) {
        return s.replaceAll("^/+", "").replaceAll("/+$", "");
    }
}
