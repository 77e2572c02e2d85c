package dev.cachalot.proxy;

import dev.cachalot.oci.RepositoryName;
import dev.cachalot.rules.Resolution;
import dev.cachalot.rules.RuleSet;
import dev.cachalot.storage.RepositoryContents;
import dev.cachalot.storage.RepositoryKind;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Which rule, if any, serves a requested name. Adds to {@link RuleSet#resolve} what only the engine knows: a name
 * that matched no rule target is tried as a Docker Hub path (Docker's {@code registry-mirrors}), but never when a
 * plain local repository of that exact name exists — a rule added later must not take over a user's own images —
 * and never for pushes, which only a rule's target (or a mirror namespace) covers.
 */
public final class NameRouting {
    private final Supplier<RuleSet> rules;
    private final RepositoryContents index;

    public NameRouting(Supplier<RuleSet> rules, RepositoryContents index) {
        this.rules = rules;
        this.index = index;
    }

    /** The rule that serves a pull of {@code name} (with containerd's {@code ?ns=} namespace, or null); empty: a local repository. */
    public Optional<Resolution> forPull(RepositoryName name, String namespace) {
        Optional<Resolution> r = rules.get().resolve(name, namespace);
        if (r.isPresent() && isDockerHubFallback(r.get(), name, namespace) && isLocal(name)) {
            return Optional.empty();
        }
        return r;
    }

    Optional<Resolution> forPush(RepositoryName name, String namespace) {
        return rules.get().resolve(name, namespace).filter(r -> !isDockerHubFallback(r, name, namespace));
    }

    /** A target match keeps the requested name; only the Docker Hub fallback maps it to another local name. */
    private static boolean isDockerHubFallback(Resolution r, RepositoryName name, String namespace) {
        return namespace == null && !r.localName().equals(name);
    }

    private boolean isLocal(RepositoryName name) {
        return index.repositoryKind(name).orElse(null) == RepositoryKind.LOCAL;
    }
}
