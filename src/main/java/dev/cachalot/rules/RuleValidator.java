package dev.cachalot.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/** The checks a rule must pass to be added to a set of rules (ACR's, and the overlap rules of docs/rules.md). */
public final class RuleValidator {

    public static final int MAX_RULES = 1000;
    public static final int MIN_NAME_LENGTH = 5;
    public static final int MAX_NAME_LENGTH = 50;

    private static final Pattern NAME_CHARACTERS = Pattern.compile("[A-Za-z0-9-]+");
    private static final String TARGET = "target repository";

    private final UpstreamCatalog catalog;

    public RuleValidator(UpstreamCatalog catalog) {
        this.catalog = catalog;
    }

    /**
     * Why {@code candidate} (already normalized) cannot join {@code existing}; empty when it can.
     *
     * @param repositoryExistsUnder answers whether a local repository exists at a name, or for a wildcard
     *                              target's prefix, under it (see {@code RepositoryCatalog.anyRepositoryUnder})
     */
    public List<String> problems(CacheRule candidate, List<CacheRule> existing, Predicate<String> repositoryExistsUnder) {
        List<String> problems = new ArrayList<>();
        if (existing.size() >= MAX_RULES) {
            problems.add("at most " + MAX_RULES + " cache rules are allowed: delete a rule before adding '" + candidate.name() + "'");
        }
        nameProblems(candidate.name(), existing, problems);

        String source = sourceProblems(candidate.sourceRepository(), problems);
        String targetProblem = targetProblem(candidate.targetRepository());
        if (targetProblem != null) problems.add(targetProblem);
        if (source == null || targetProblem != null) {
            return problems; // the remaining checks compare well-formed names only
        }
        String target = candidate.targetRepository();
        boolean sourceWildcard = RepositoryPaths.isWildcard(SourceRepositories.path(source));
        boolean targetWildcard = RepositoryPaths.isWildcard(target);
        if (sourceWildcard != targetWildcard) {
            problems.add(sourceWildcard
                    ? "source '" + source + "' is a wildcard but target '" + target + "' is not: both must end in /* or neither"
                    : "target '" + target + "' is a wildcard but source '" + source + "' is not: both must end in /* or neither");
            return problems;
        }
        overlapProblems(candidate.name(), target, targetWildcard, existing, problems);
        localRepositoryProblems(target, targetWildcard, repositoryExistsUnder, problems);
        catalog.find(SourceRepositories.loginServer(source)).ifPresentOrElse(
                upstream -> {
                    String p = credentialProblem(upstream, candidate.credentialSet());
                    if (p != null) problems.add(p);
                },
                () -> problems.add("no upstream is known for login server '" + SourceRepositories.loginServer(source)
                        + "' of source '" + source + "': add it as a custom upstream first"));
        return problems;
    }

    /**
     * Why {@code credentialSet} (null: anonymous) cannot be used with the upstream of {@code normalizedSource};
     * empty when it can (or when the upstream is unknown, which {@link #problems} reports).
     */
    public Optional<String> credentialProblem(String normalizedSource, String credentialSet) {
        return catalog.find(SourceRepositories.loginServer(normalizedSource))
                .map(upstream -> credentialProblem(upstream, credentialSet));
    }

    /** Why {@code target} is not a valid target repository (a lowercase OCI name, {@code *} or {@code <path>/*}); null when it is. */
    public static String targetProblem(String target) {
        if (target == null || target.isBlank()) return "a rule's target repository is empty";
        if (!target.equals(target.strip())) {
            return "a rule's target repository may not begin or end with spaces: '" + RepositoryPaths.abbreviate(target) + "'";
        }
        if (target.equals("*")) return null;
        String prefix = target.endsWith(RepositoryPaths.WILDCARD_SUFFIX) ? RepositoryPaths.wildcardPrefix(target) : target;
        return RepositoryPaths.pathProblem(prefix, TARGET, RepositoryPaths.abbreviate(target));
    }

    /** Why {@code name} is not a valid rule name (5–50 letters, digits and hyphens); null when it is. */
    public static String nameProblem(String name) {
        if (name == null || name.isBlank()) return "a rule needs a name";
        String shown = RepositoryPaths.abbreviate(name);
        if (!NAME_CHARACTERS.matcher(name).matches()) {
            return "rule name '" + shown + "' may contain only letters, digits and hyphens";
        }
        if (name.length() < MIN_NAME_LENGTH || name.length() > MAX_NAME_LENGTH) {
            return "rule name '" + shown + "' must be " + MIN_NAME_LENGTH + " to " + MAX_NAME_LENGTH
                    + " characters long (it has " + name.length() + ")";
        }
        return null;
    }

    private static void nameProblems(String name, List<CacheRule> existing, List<String> problems) {
        String p = nameProblem(name);
        if (p != null) {
            problems.add(p);
            return;
        }
        // Names differing only in case would be confusing in every list and command: treat them as the same.
        String lower = name.toLowerCase(Locale.ROOT);
        for (CacheRule other : existing) {
            if (other.name().toLowerCase(Locale.ROOT).equals(lower)) {
                problems.add(other.name().equals(name)
                        ? "a rule named '" + name + "' already exists"
                        : "rule name '" + name + "' differs only in case from the existing rule '" + other.name() + "'");
                return;
            }
        }
    }

    /** Adds the problem and returns null when the source is malformed or not normalized; else returns it. */
    private static String sourceProblems(String source, List<String> problems) {
        String normalized;
        try {
            normalized = SourceRepositories.normalize(source);
        } catch (RuleValidationException e) {
            problems.addAll(e.problems());
            return null;
        }
        if (!normalized.equals(source)) {
            problems.add("source repository '" + RepositoryPaths.abbreviate(source) + "' is not normalized: write '" + normalized + "'");
            return null;
        }
        return normalized;
    }

    private static void overlapProblems(String name, String target, boolean wildcard, List<CacheRule> existing, List<String> problems) {
        String prefix = wildcard ? RepositoryPaths.wildcardPrefix(target) : null;
        for (CacheRule other : existing) {
            if (other.name().equalsIgnoreCase(name)) continue; // reported as a duplicate name already
            String otherTarget = other.targetRepository();
            if (otherTarget.equals(target)) {
                problems.add("target '" + target + "' is already used by rule '" + other.name() + "'");
                continue;
            }
            if (!wildcard || !other.isWildcard()) {
                continue; // a static rule may sit inside a wildcard rule: it wins for its exact name
            }
            String otherPrefix = RepositoryPaths.wildcardPrefix(otherTarget);
            if (covers(otherPrefix, prefix)) {
                problems.add("wildcard target '" + target + "' lies inside wildcard target '" + otherTarget + "' of rule '" + other.name() + "'");
            } else if (covers(prefix, otherPrefix)) {
                problems.add("wildcard target '" + target + "' would contain wildcard target '" + otherTarget + "' of rule '" + other.name() + "'");
            }
        }
    }

    /** Whether the wildcard with prefix {@code outer} matches everything the one with prefix {@code inner} does. */
    private static boolean covers(String outer, String inner) {
        return outer.isEmpty() || inner.startsWith(outer + "/");
    }

    private static void localRepositoryProblems(String target, boolean wildcard, Predicate<String> exists, List<String> problems) {
        if (!wildcard) {
            if (exists.test(target)) {
                problems.add("a local repository named '" + target + "' already exists: choose another target");
            }
            return;
        }
        String prefix = RepositoryPaths.wildcardPrefix(target);
        if (exists.test(prefix)) {
            problems.add(prefix.isEmpty()
                    ? "target '*' would cover the local repositories that already exist: choose a narrower target"
                    : "local repositories already exist under '" + prefix + "/': choose another target than '" + target + "'");
        }
    }

    private static String credentialProblem(Upstream upstream, String credentialSet) {
        boolean withCredentials = credentialSet != null && !credentialSet.isBlank();
        if (!withCredentials && !upstream.authMode().allowsAnonymous()) {
            return upstream.displayName() + " allows authenticated pulls only: choose a credential set";
        }
        if (withCredentials && !upstream.authMode().allowsCredentials()) {
            return upstream.displayName() + " allows anonymous pulls only: remove the credential set '" + credentialSet + "'";
        }
        return null;
    }
}
