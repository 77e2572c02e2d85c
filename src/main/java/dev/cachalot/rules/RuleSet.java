package dev.cachalot.rules;

import dev.cachalot.oci.DistributionException;
import dev.cachalot.oci.ErrorCode;
import dev.cachalot.oci.RepositoryName;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable snapshot of the rules and upstreams, answering which rule serves a requested name.
 *
 * <p>Resolution runs on every request, so everything is looked up in maps built once here: a requested name
 * {@code a/b/c} costs at most one lookup per path depth, no regex and no scan over the rules.
 */
public final class RuleSet {

    private final List<CacheRule> rules;
    private final UpstreamCatalog catalog;
    /** Static rules by target, wildcard rules by target prefix ({@code library} for {@code library/*}, empty for {@code *}). */
    private final Map<String, CacheRule> staticByTarget = new HashMap<>();
    private final Map<String, CacheRule> wildcardByTargetPrefix = new HashMap<>();
    /** Static rules by source, wildcard rules by source prefix ({@code docker.io/library}; {@code docker.io} for {@code docker.io/*}). */
    private final Map<String, CacheRule> staticBySource = new HashMap<>();
    private final Map<String, CacheRule> wildcardBySourcePrefix = new HashMap<>();
    /** Each rule's upstream, looked up once; absent when its login server left the catalog. */
    private final Map<String, Upstream> upstreamByRule = new HashMap<>();

    public RuleSet(List<CacheRule> rules, UpstreamCatalog catalog) {
        this.rules = List.copyOf(rules);
        this.catalog = catalog;
        // First rule wins where two share a key (the stored order is creation order), so resolution is deterministic.
        for (CacheRule rule : this.rules) {
            String source = rule.sourceRepository();
            if (rule.isWildcard()) {
                wildcardByTargetPrefix.putIfAbsent(RepositoryPaths.wildcardPrefix(rule.targetRepository()), rule);
                wildcardBySourcePrefix.putIfAbsent(source.substring(0, source.length() - RepositoryPaths.WILDCARD_SUFFIX.length()), rule);
            } else {
                staticByTarget.putIfAbsent(rule.targetRepository(), rule);
                staticBySource.putIfAbsent(source, rule);
            }
            catalog.find(SourceRepositories.loginServer(source)).ifPresent(u -> upstreamByRule.put(rule.name(), u));
        }
    }

    /** No rules, the built-in catalog only. */
    public static RuleSet empty() {
        return new RuleSet(List.of(), new UpstreamCatalog(List.of()));
    }

    public List<CacheRule> rules() {
        return rules;
    }

    public UpstreamCatalog catalog() {
        return catalog;
    }

    /** True when some rule pulls from an upstream over https (every built-in registry does). */
    public boolean pullsOverHttps() {
        return upstreamByRule.values().stream().anyMatch(u -> "https".equalsIgnoreCase(u.endpoint().getScheme()));
    }

    /**
     * Resolves a requested name: exact static target first, then the longest wildcard target prefix.
     * With {@code namespace} (containerd's {@code ?ns=docker.io}) the name is an upstream path on that registry and
     * is matched against rule sources instead. With no namespace and no target match, the name is tried as a Docker
     * Hub path ({@code nginx} → {@code docker.io/library/nginx}) against rule sources (Docker's registry-mirrors).
     * Empty: a plain local repository.
     *
     * @throws DistributionException when the matching rule's login server is no longer a known upstream
     */
    public Optional<Resolution> resolve(RepositoryName requested, String namespace) {
        if (namespace != null && !namespace.isBlank()) {
            // A namespace is a login server; anything else (a path, garbage) cannot name a rule's registry.
            if (UpstreamCatalog.loginServerProblem(namespace) != null) return Optional.empty();
            return resolveBySource(requested, UpstreamCatalog.canonicalLoginServer(namespace));
        }
        Optional<Resolution> byTarget = resolveByTarget(requested);
        return byTarget.isPresent() ? byTarget : resolveBySource(requested, UpstreamCatalog.DOCKER_HUB);
    }

    /** The requested name is a local name inside some rule's target. */
    private Optional<Resolution> resolveByTarget(RepositoryName requested) {
        String name = requested.value();
        CacheRule exact = staticByTarget.get(name);
        if (exact != null) {
            return Optional.of(resolution(exact, requested, SourceRepositories.path(exact.sourceRepository())));
        }
        // Longest prefix first: library/a/b tries library/a, then library, then the bare * (empty prefix).
        for (int slash = name.lastIndexOf('/'); ; slash = name.lastIndexOf('/', slash - 1)) {
            String prefix = slash < 0 ? "" : name.substring(0, slash);
            CacheRule rule = wildcardByTargetPrefix.get(prefix);
            if (rule != null) {
                String rest = slash < 0 ? name : name.substring(slash + 1);
                return Optional.of(resolution(rule, requested, upstreamPathUnder(rule.sourceRepository(), rest)));
            }
            if (slash < 0) return Optional.empty();
        }
    }

    /** The requested name is a path on the registry {@code loginServer}: find the rule whose source covers it. */
    private Optional<Resolution> resolveBySource(RepositoryName requested, String loginServer) {
        String path = requested.value();
        if (loginServer.equals(UpstreamCatalog.DOCKER_HUB) && path.indexOf('/') < 0) {
            path = "library/" + path;
        }
        String full = loginServer + "/" + path;
        CacheRule exact = staticBySource.get(full);
        if (exact != null) {
            return Optional.of(resolution(exact, RepositoryName.of(exact.targetRepository()), path));
        }
        // Longest source prefix first, down to the login server itself (a whole-registry rule such as docker.io/*).
        for (int slash = full.lastIndexOf('/'); slash >= loginServer.length(); slash = full.lastIndexOf('/', slash - 1)) {
            CacheRule rule = wildcardBySourcePrefix.get(full.substring(0, slash));
            if (rule != null) {
                String rest = full.substring(slash + 1);
                String targetPrefix = RepositoryPaths.wildcardPrefix(rule.targetRepository());
                RepositoryName local = RepositoryName.of(targetPrefix.isEmpty() ? rest : targetPrefix + "/" + rest);
                return Optional.of(resolution(rule, local, path));
            }
        }
        return Optional.empty();
    }

    /** The upstream path of {@code rest} under a wildcard source: {@code docker.io/library/*} + {@code nginx} → {@code library/nginx}. */
    private static String upstreamPathUnder(String wildcardSource, String rest) {
        String sourcePrefix = RepositoryPaths.wildcardPrefix(SourceRepositories.path(wildcardSource));
        if (!sourcePrefix.isEmpty()) return sourcePrefix + "/" + rest;
        // A whole Docker Hub (docker.io/*): a one-part name is an official image under library/, as Docker itself reads it.
        boolean dockerHub = SourceRepositories.loginServer(wildcardSource).equals(UpstreamCatalog.DOCKER_HUB);
        return dockerHub && rest.indexOf('/') < 0 ? "library/" + rest : rest;
    }

    private Resolution resolution(CacheRule rule, RepositoryName localName, String upstreamRepository) {
        Upstream upstream = upstreamByRule.get(rule.name());
        if (upstream == null) {
            throw new DistributionException(ErrorCode.UPSTREAM_UNAVAILABLE, "cache rule '" + rule.name() + "' pulls from '"
                    + SourceRepositories.loginServer(rule.sourceRepository()) + "', which is no longer a known upstream");
        }
        return new Resolution(rule, upstream, localName, upstreamRepository);
    }
}
