package dev.cachalot.rules;

/**
 * Normalizes what users write as a rule's source: {@code nginx}, {@code docker.io/nginx} and
 * {@code registry-1.docker.io/library/nginx} all become {@code docker.io/library/nginx}; wildcards keep their
 * {@code /*}. Lowercase, tag or digest, empty parts are refused with a precise message.
 *
 * <p>As in Docker's references, the first component is a login server when it contains a {@code .} or a {@code :}
 * or is {@code localhost}; otherwise Docker Hub is implied. A wildcard source is {@code <login server>/<path>/*} or
 * {@code <login server>/*} (a whole registry).
 */
public final class SourceRepositories {
    private static final String ROLE = "source repository";

    private SourceRepositories() {
    }

    /** @throws RuleValidationException with the reason when {@code source} is not a valid source repository */
    public static String normalize(String source) {
        if (source == null || source.isBlank()) {
            throw new RuleValidationException("a rule's source repository is empty");
        }
        String s = source.strip();
        String shown = RepositoryPaths.abbreviate(s);
        if (s.contains("://")) {
            throw new RuleValidationException("a rule's source repository is written without a scheme, as <login server>/<path>: '" + shown + "'");
        }
        if (s.equals("*")) {
            throw new RuleValidationException("a wildcard source repository names its registry, such as 'docker.io/*': '" + shown + "'");
        }
        int slash = s.indexOf('/');
        String first = slash < 0 ? s : s.substring(0, slash);
        if (slash < 0) {
            if (hasTagOrDigest(first)) {
                throw new RuleValidationException("a tag or digest is not allowed in a rule's source repository: '" + shown + "'");
            }
            if (looksLikeLoginServer(first)) {
                throw new RuleValidationException("a rule's source repository needs a path after the login server, such as '"
                        + first + "/<path>' or '" + first + "/*': '" + shown + "'");
            }
        }
        String loginServer;
        String path;
        if (slash >= 0 && looksLikeLoginServer(first)) {
            String problem = UpstreamCatalog.loginServerProblem(first);
            if (problem != null) {
                throw new RuleValidationException(problem + " (in the rule's source repository '" + shown + "')");
            }
            loginServer = UpstreamCatalog.canonicalLoginServer(first);
            path = s.substring(slash + 1);
        } else {
            loginServer = UpstreamCatalog.DOCKER_HUB;
            path = s;
        }
        boolean wildcard = path.equals("*") || path.endsWith(RepositoryPaths.WILDCARD_SUFFIX);
        String prefix = wildcard ? RepositoryPaths.wildcardPrefix(path) : path;
        if (!(wildcard && prefix.isEmpty())) {
            String problem = RepositoryPaths.pathProblem(prefix, ROLE, shown);
            if (problem != null) throw new RuleValidationException(problem);
        }
        // Docker Hub's official images live under library/: users write nginx, the registry API wants library/nginx.
        if (loginServer.equals(UpstreamCatalog.DOCKER_HUB) && !wildcard && prefix.indexOf('/') < 0) {
            prefix = "library/" + prefix;
        }
        if (!wildcard) return loginServer + "/" + prefix;
        return prefix.isEmpty() ? loginServer + "/*" : loginServer + "/" + prefix + "/*";
    }

    /** The login server part of a normalized source ({@code docker.io}). */
    public static String loginServer(String normalizedSource) {
        int slash = normalizedSource.indexOf('/');
        return slash < 0 ? normalizedSource : normalizedSource.substring(0, slash);
    }

    /** The path on the upstream of a normalized source, without the login server ({@code library/nginx}, {@code library/*}, {@code *}). */
    public static String path(String normalizedSource) {
        int slash = normalizedSource.indexOf('/');
        return slash < 0 ? "" : normalizedSource.substring(slash + 1);
    }

    /** Whether the first component of a reference names a registry rather than a Docker Hub namespace. */
    static boolean looksLikeLoginServer(String component) {
        return component.indexOf('.') >= 0 || component.indexOf(':') >= 0 || component.equals("localhost");
    }

    /** A single component with {@code @}, or with {@code :} not followed by a port number, carries a tag or digest. */
    private static boolean hasTagOrDigest(String component) {
        if (component.indexOf('@') >= 0) return true;
        int colon = component.lastIndexOf(':');
        if (colon < 0 || component.startsWith("[")) return false;
        String after = component.substring(colon + 1);
        return after.isEmpty() || !after.chars().allMatch(ch -> ch >= '0' && ch <= '9');
    }
}
