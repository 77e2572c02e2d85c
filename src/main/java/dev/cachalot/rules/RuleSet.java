package dev.cachalot.rules;

import dev.cachalot.registry.RepositoryName;
import java.util.List;
import java.util.Optional;

/** An immutable snapshot of the rules and upstreams, answering which rule serves a requested name. */
public final class RuleSet {

    public RuleSet(List<CacheRule> rules, UpstreamCatalog catalog) {
        throw new UnsupportedOperationException("written by the rules work");
    }

    public List<CacheRule> rules() {
        throw new UnsupportedOperationException("written by the rules work");
    }

    public UpstreamCatalog catalog() {
        throw new UnsupportedOperationException("written by the rules work");
    }

    /**
     * Resolves a requested name: exact static target first, then the longest wildcard target prefix.
     * With {@code namespace} (containerd's {@code ?ns=docker.io}) the name is an upstream path on that registry and
     * is matched against rule sources instead. With no namespace and no target match, the name is tried as a Docker
     * Hub path ({@code nginx} → {@code docker.io/library/nginx}) against rule sources (Docker's registry-mirrors).
     * Empty: a plain local repository.
     */
    public Optional<Resolution> resolve(RepositoryName requested, String namespace) {
        throw new UnsupportedOperationException("written by the rules work");
    }
}
