package dev.cachalot.rules;

import dev.cachalot.storage.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The use cases on cache rules and custom upstreams that the engine (and through it the CLI and the app) calls:
 * create with normalization and validation, check without saving, delete, change the credential set, list, and
 * take a {@link RuleSet} snapshot for resolution.
 *
 * <p>Every change validates against the rules as they are inside the same transaction, after taking the
 * configuration lock, so two concurrent creates (in this process or another one on the same data folder) cannot
 * both pass validation and then overlap.
 */
public final class RuleService {

    private final Database database;
    private final RuleStore rules;
    private final UpstreamStore upstreams;
    private final Predicate<String> repositoryExistsUnder;
    /** Null: credential sets are not checked (tests of rules alone); the engine always passes one. */
    private final CredentialSetLookup credentialSets;

    /**
     * @param repositoryExistsUnder whether a local repository exists at a name, or (for a wildcard target's prefix;
     *                              empty for {@code *}) under it; rules may not hide existing local repositories
     */
    public RuleService(Database database, RuleStore rules, UpstreamStore upstreams, Predicate<String> repositoryExistsUnder) {
        this(database, rules, upstreams, repositoryExistsUnder, null);
    }

    /**
     * @param credentialSets which credential sets exist and for which login server: a rule may only name an
     *                       existing set made for its source's upstream
     */
    public RuleService(Database database, RuleStore rules, UpstreamStore upstreams, Predicate<String> repositoryExistsUnder,
                       CredentialSetLookup credentialSets) {
        this.database = database;
        this.rules = rules;
        this.upstreams = upstreams;
        this.repositoryExistsUnder = repositoryExistsUnder;
        this.credentialSets = credentialSets;
    }

    /**
     * Normalizes the source ({@code nginx} → {@code docker.io/library/nginx}), validates and saves a new rule.
     *
     * @param credentialSet null or blank for anonymous pulls
     * @param freshness     null for the default ({@link FreshnessPolicy#REVALIDATE})
     * @throws RuleValidationException with every reason the rule is refused
     */
    public CacheRule create(String name, String source, String target, String credentialSet, FreshnessPolicy freshness) {
        return create(name, source, target, credentialSet, freshness, SyncDraft.NONE);
    }

    /**
     * As {@link #create(String, String, String, String, FreshnessPolicy)}, with a sync policy ({@link SyncDraft#NONE}
     * or null fields: passive, the defaults).
     */
    public CacheRule create(String name, String source, String target, String credentialSet, FreshnessPolicy freshness,
                            SyncDraft sync) {
        List<String> syncProblems = new java.util.ArrayList<>();
        CacheRule candidate = withSync(candidate(name, source, target, credentialSet, freshness), sync, syncProblems);
        return database.inTransaction(c -> {
            lockConfiguration(c);
            List<String> problems = problems(c, candidate);
            problems.addAll(syncProblems);
            if (!problems.isEmpty()) throw new RuleValidationException(problems);
            rules.insert(c, candidate);
            return candidate;
        });
    }

    /** The reasons {@link #create} would refuse this rule now; empty when it would accept it. Changes nothing. */
    public List<String> check(String name, String source, String target, String credentialSet, FreshnessPolicy freshness) {
        return check(name, source, target, credentialSet, freshness, SyncDraft.NONE);
    }

    /** The reasons {@link #create(String, String, String, String, FreshnessPolicy, SyncDraft)} would refuse this rule now. */
    public List<String> check(String name, String source, String target, String credentialSet, FreshnessPolicy freshness,
                              SyncDraft sync) {
        List<String> syncProblems = new java.util.ArrayList<>();
        CacheRule candidate = withSync(candidate(name, source, target, credentialSet, freshness), sync, syncProblems);
        return database.query(c -> {
            List<String> problems = problems(c, candidate);
            problems.addAll(syncProblems);
            return problems;
        });
    }

    /**
     * Changes a rule's sync policy as {@code change} says; its null fields keep the rule's settings as they are.
     *
     * @throws RuleValidationException when there is no such rule, or with every reason the change is refused
     */
    public CacheRule setSync(String ruleName, SyncDraft change) {
        return database.inTransaction(c -> {
            lockConfiguration(c);
            CacheRule rule = rules.list(c).stream().filter(r -> r.name().equals(ruleName)).findFirst()
                    .orElseThrow(() -> new RuleValidationException("there is no cache rule named '" + ruleName + "'"));
            CacheRule changed = rule.withSync(rule.sync().with(change == null ? SyncDraft.NONE : change, rule.isWildcard()));
            rules.update(c, changed);
            return changed;
        });
    }

    /** The candidate with its sync policy; what is wrong with the policy goes to {@code problems}. */
    private static CacheRule withSync(CacheRule candidate, SyncDraft sync, List<String> problems) {
        if (sync == null) return candidate;
        try {
            boolean wildcard = candidate.targetRepository() != null && candidate.isWildcard();
            return candidate.withSync(SyncPolicy.PASSIVE.with(sync, wildcard));
        } catch (RuleValidationException e) {
            problems.addAll(e.problems());
            return candidate;
        }
    }

    /** @return false when there was no rule of that name */
    public boolean delete(String name) {
        return database.inTransaction(c -> rules.delete(c, name));
    }

    /**
     * Switches a rule to another credential set (null or blank: anonymous), checked against its upstream's auth mode.
     *
     * @throws RuleValidationException when there is no such rule or the upstream does not allow it
     */
    public CacheRule setCredentialSet(String ruleName, String credentialSetOrNull) {
        String credentialSet = blankToNull(credentialSetOrNull);
        return database.inTransaction(c -> {
            lockConfiguration(c);
            CacheRule rule = rules.list(c).stream().filter(r -> r.name().equals(ruleName)).findFirst()
                    .orElseThrow(() -> new RuleValidationException("there is no cache rule named '" + ruleName + "'"));
            UpstreamCatalog catalog = new UpstreamCatalog(upstreams.list(c));
            Optional<String> problem = new RuleValidator(catalog).credentialProblem(rule.sourceRepository(), credentialSet);
            if (problem.isEmpty()) problem = Optional.ofNullable(credentialSetProblem(catalog, rule.sourceRepository(), credentialSet));
            if (problem.isPresent()) throw new RuleValidationException(problem.get());
            CacheRule changed = rule.withCredentialSet(credentialSet);
            rules.update(c, changed);
            return changed;
        });
    }

    /** The rules in creation order. */
    public List<CacheRule> list() {
        return rules.list();
    }

    public Optional<CacheRule> find(String name) {
        return rules.find(name);
    }

    /** The built-in catalog followed by the custom upstreams. */
    public UpstreamCatalog catalog() {
        return new UpstreamCatalog(upstreams.list());
    }

    /** A consistent snapshot of rules and upstreams (read together) for resolving requests. */
    public RuleSet ruleSet() {
        return database.query(c -> new RuleSet(rules.list(c), new UpstreamCatalog(upstreams.list(c))));
    }

    /**
     * Adds or replaces a custom upstream, checked by {@link UpstreamCatalog#custom}.
     *
     * @throws RuleValidationException when the login server or endpoint is malformed, or is a built-in one
     */
    public Upstream addUpstream(String loginServer, String endpoint, String caCertPemOrNull) {
        Upstream upstream = UpstreamCatalog.custom(loginServer, endpoint, caCertPemOrNull);
        upstreams.put(upstream);
        return upstream;
    }

    /**
     * Changes a custom upstream's endpoint or CA certificate, keeping its login server.
     *
     * @throws RuleValidationException when there is no custom upstream of that login server, or the endpoint is malformed
     */
    public Upstream updateUpstream(String loginServer, String endpoint, String caCertPemOrNull) {
        String server = UpstreamCatalog.canonicalLoginServer(loginServer);
        if (UpstreamCatalog.isBuiltIn(server)) {
            throw new RuleValidationException("'" + server + "' is a built-in upstream and cannot be changed");
        }
        if (upstreams.list().stream().noneMatch(u -> u.loginServer().equals(server))) {
            throw new RuleValidationException("no custom upstream '" + server + "'");
        }
        Upstream upstream = UpstreamCatalog.custom(server, endpoint, caCertPemOrNull);
        upstreams.put(upstream);
        return upstream;
    }

    /**
     * Removes a custom upstream; refused while rules pull from it, since they would stop working.
     *
     * @return false when there was no custom upstream of that login server
     */
    public boolean removeUpstream(String loginServer) {
        String server = UpstreamCatalog.canonicalLoginServer(loginServer);
        return database.inTransaction(c -> {
            lockConfiguration(c);
            List<String> users = rules.list(c).stream()
                    .filter(r -> SourceRepositories.loginServer(r.sourceRepository()).equals(server))
                    .map(CacheRule::name).sorted().toList();
            if (!users.isEmpty()) {
                throw new RuleValidationException("upstream '" + server + "' is used by "
                        + (users.size() == 1 ? "rule '" + users.get(0) + "'" : "rules '" + String.join("', '", users) + "'")
                        + ": delete or change them first");
            }
            return upstreams.remove(c, server);
        });
    }

    private List<String> problems(Connection c, CacheRule candidate) throws SQLException {
        UpstreamCatalog catalog = new UpstreamCatalog(upstreams.list(c));
        List<String> problems = new java.util.ArrayList<>(
                new RuleValidator(catalog).problems(candidate, rules.list(c), repositoryExistsUnder));
        String credentialProblem = credentialSetProblem(catalog, candidate.sourceRepository(), candidate.credentialSet());
        if (credentialProblem != null) problems.add(credentialProblem);
        return problems;
    }

    /**
     * Why a rule pulling from {@code source} cannot use {@code credentialSet}: it does not exist, or it was made for
     * another upstream (its credentials would go to a server they do not belong to). Null when it can, or when
     * there is nothing to check.
     */
    private String credentialSetProblem(UpstreamCatalog catalog, String source, String credentialSet) {
        if (credentialSets == null || credentialSet == null) return null;
        Optional<String> setServer = credentialSets.loginServerOf(credentialSet);
        if (setServer.isEmpty()) {
            return "there is no credential set named '" + credentialSet + "': create it first";
        }
        String sourceServer;
        try {
            sourceServer = UpstreamCatalog.canonicalLoginServer(SourceRepositories.loginServer(source));
        } catch (RuntimeException e) {
            return null; // a malformed source is reported by the validator
        }
        String setCanonical = UpstreamCatalog.canonicalLoginServer(setServer.get());
        if (setCanonical.equals(sourceServer)) return null;
        Optional<Upstream> a = catalog.find(setCanonical);
        Optional<Upstream> b = catalog.find(sourceServer);
        if (a.isPresent() && b.isPresent() && a.get().loginServer().equals(b.get().loginServer())) {
            return null; // e.g. gcr.io and eu.gcr.io: one upstream
        }
        return "credential set '" + credentialSet + "' is for " + setCanonical + ", not for " + sourceServer
                + ": use a credential set made for " + sourceServer;
    }

    /**
     * The rule as the user means it. A source that cannot be normalized is kept as written: the validator reports
     * why, together with every other problem of the rule.
     */
    private static CacheRule candidate(String name, String source, String target, String credentialSet, FreshnessPolicy freshness) {
        String normalized;
        try {
            normalized = SourceRepositories.normalize(source);
        } catch (RuleValidationException e) {
            normalized = source;
        }
        return new CacheRule(
                name == null ? null : name.strip(),
                normalized,
                target == null ? null : target.strip(),
                blankToNull(credentialSet),
                freshness == null ? FreshnessPolicy.REVALIDATE : freshness,
                // Milliseconds: what the database keeps exactly, so a rule reads back equal to what create returned.
                Instant.ofEpochMilli(System.currentTimeMillis()),
                CacheRule.ProvisioningState.Succeeded);
    }

    /**
     * Serializes configuration writers: the row lock on the config version is held until commit, and every
     * configuration writer bumps that row, so the rules read after this are the ones the insert will join.
     */
    private static void lockConfiguration(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT version FROM config_version WHERE id = 1 FOR UPDATE");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
