package dev.cachalot.rules.io;

import dev.cachalot.rules.CacheRule;
import dev.cachalot.rules.CredentialSetName;
import dev.cachalot.rules.FreshnessPolicy;
import dev.cachalot.rules.ImportEntry;
import dev.cachalot.rules.ImportEntry.Action;
import dev.cachalot.rules.ImportReport;
import dev.cachalot.rules.RuleStore;
import dev.cachalot.rules.RuleValidationException;
import dev.cachalot.rules.RuleValidator;
import dev.cachalot.rules.SourceRepositories;
import dev.cachalot.rules.Upstream;
import dev.cachalot.rules.UpstreamCatalog;
import dev.cachalot.rules.UpstreamStore;
import dev.cachalot.storage.Database;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Imports rule files: reads each (any {@link RuleFormat}), checks every entry exactly as rule creation does
 * (plus duplicates within the import and conflicts with existing rules), and writes all of it in one database
 * transaction, or nothing. The CLI's {@code rules import} and the app's drag-and-drop both use it.
 */
public final class RuleImporter {

    /**
     * The rule reads and writes of an import, inside its transaction: {@link RuleStore} in production
     * ({@link #of}), a seam for tests that inject a failure midway.
     */
    public interface RuleWrites {
        List<CacheRule> list(Connection c) throws SQLException;

        void insert(Connection c, CacheRule rule);

        boolean delete(Connection c, String name);

        static RuleWrites of(RuleStore store) {
            return new RuleWrites() {
                @Override
                public List<CacheRule> list(Connection c) throws SQLException {
                    return store.list(c);
                }

                @Override
                public void insert(Connection c, CacheRule rule) {
                    store.insert(c, rule);
                }

                @Override
                public boolean delete(Connection c, String name) {
                    return store.delete(c, name);
                }
            };
        }
    }

    private final Database database;
    private final RuleWrites rules;
    private final UpstreamStore upstreams;
    private final CredentialSetMetadataStore credentialSets;
    private final Predicate<String> repositoryExistsUnder;
    private final RuleFileReader reader;

    /**
     * @param credentialSets        the credential sets' metadata ({@link CredentialSetTable} or the credentials store)
     * @param repositoryExistsUnder whether a local repository exists at a name or under a wildcard prefix
     *                              ({@code RepositoryCatalog::anyRepositoryUnder}), as for {@code RuleService}
     */
    public RuleImporter(Database database, RuleStore rules, UpstreamStore upstreams, CredentialSetMetadataStore credentialSets,
                        Predicate<String> repositoryExistsUnder) {
        this(database, RuleWrites.of(rules), upstreams, credentialSets, repositoryExistsUnder, new RuleFileReader());
    }

    public RuleImporter(Database database, RuleWrites rules, UpstreamStore upstreams, CredentialSetMetadataStore credentialSets,
                        Predicate<String> repositoryExistsUnder, RuleFileReader reader) {
        this.database = database;
        this.rules = rules;
        this.upstreams = upstreams;
        this.credentialSets = credentialSets;
        this.repositoryExistsUnder = repositoryExistsUnder;
        this.reader = reader;
    }

    /** Checks files without changing anything. {@code format} null or blank: detect per file. Conflicts are refusals. */
    public ImportReport preview(List<Path> files, String format) {
        return preview(files, format, false, ConflictPolicy.FAIL);
    }

    /** A dry run of {@link #importRules} with the same options: the report it would give, nothing written. */
    public ImportReport preview(List<Path> files, String format, boolean validOnly, ConflictPolicy onConflict) {
        return run(files, format, validOnly, onConflict, false);
    }

    /**
     * Imports atomically. Without {@code validOnly}, nothing is written when any entry is refused; with it, the
     * valid entries are. Checks and writes share one transaction under the configuration lock, so a concurrent
     * rule change cannot slip in between. A failure while writing rolls everything back and is reported in
     * {@code problems}.
     *
     * @param onConflict what to do with an entry whose name an existing rule has (null: {@link ConflictPolicy#FAIL})
     */
    public ImportReport importRules(List<Path> files, String format, boolean validOnly, ConflictPolicy onConflict) {
        return run(files, format, validOnly, onConflict, true);
    }

    private ImportReport run(List<Path> files, String format, boolean validOnly, ConflictPolicy onConflict, boolean apply) {
        List<String> problems = new ArrayList<>();
        RuleFormat fmt;
        try {
            fmt = RuleFormat.parse(format);
        } catch (IllegalArgumentException e) {
            return new ImportReport(List.of(), List.of(e.getMessage()), false, 0);
        }
        if (files == null || files.isEmpty()) {
            return new ImportReport(List.of(), List.of("no file to import"), false, 0);
        }
        List<RuleFile> read = new ArrayList<>();
        for (Path file : files) {
            try {
                read.add(reader.read(file, fmt));
            } catch (RuleFileException e) {
                problems.add(displayName(file) + ": " + e.getMessage());
            }
        }
        Plan plan = new Plan(onConflict == null ? ConflictPolicy.FAIL : onConflict);
        if (!problems.isEmpty()) {
            // A file that cannot be read stops the whole import; the others are still checked for the report.
            try {
                database.query(c -> plan.check(c, read));
            } catch (RuntimeException e) {
                problems.add("cannot check the entries: " + e.getMessage());
            }
            return new ImportReport(plan.entries, problems, false, 0);
        }
        try {
            if (!apply) {
                database.query(c -> plan.check(c, read));
                return new ImportReport(plan.entries, problems, false, 0);
            }
            int written = database.inTransaction(c -> {
                lockConfiguration(c);
                plan.check(c, read);
                if (plan.refused() && !validOnly) return -1;
                return plan.write(c);
            });
            return new ImportReport(plan.entries, problems, written >= 0, Math.max(written, 0));
        } catch (RuntimeException e) {
            problems.add("the import failed and nothing was changed: " + e.getMessage());
            return new ImportReport(plan.entries, problems, false, 0);
        }
    }

    /** As {@code RuleService}: the row lock on the config version serializes configuration writers until commit. */
    private static void lockConfiguration(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT version FROM config_version WHERE id = 1 FOR UPDATE");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
        }
    }

    private static String displayName(Path file) {
        return file.getFileName() == null ? file.toString() : file.getFileName().toString();
    }

    /** The verdicts of one import and what it will write. */
    private final class Plan {
        private final ConflictPolicy onConflict;
        private final List<ImportEntry> entries = new ArrayList<>();
        private final List<Upstream> newUpstreams = new ArrayList<>();
        private final List<CredentialSetMetadata> newSets = new ArrayList<>();
        private final List<CacheRule> newRules = new ArrayList<>();
        private final List<String> replaced = new ArrayList<>();

        Plan(ConflictPolicy onConflict) {
            this.onConflict = onConflict;
        }

        boolean refused() {
            return entries.stream().anyMatch(e -> !e.valid());
        }

        Void check(Connection c, List<RuleFile> files) throws SQLException {
            entries.clear();
            newUpstreams.clear();
            newSets.clear();
            newRules.clear();
            replaced.clear();
            List<Upstream> custom = new ArrayList<>(upstreams.list(c));
            for (RuleFile f : files) {
                for (RawUpstream u : f.upstreams()) checkUpstream(u, custom);
            }
            UpstreamCatalog catalog = new UpstreamCatalog(custom);
            Map<String, CredentialSetMetadata> sets = new HashMap<>();
            for (CredentialSetMetadata s : credentialSets.list()) sets.put(key(s.name()), s);
            for (RuleFile f : files) {
                for (RawCredentialSet s : f.credentialSets()) checkCredentialSet(s, sets, catalog);
            }
            RuleChecks checks = new RuleChecks(catalog, sets, rules.list(c));
            for (RuleFile f : files) {
                for (RawRule r : f.rules()) checks.check(r);
            }
            return null;
        }

        private void checkUpstream(RawUpstream raw, List<Upstream> known) {
            if (raw.problem() != null) {
                refuse(raw.location(), null, raw.problem());
                return;
            }
            String login = raw.loginServer() == null ? null : UpstreamCatalog.canonicalLoginServer(raw.loginServer());
            String summary = "upstream " + login + " at " + raw.endpoint();
            Optional<Upstream> existing = login == null ? Optional.empty() : known.stream()
                    .filter(u -> u.loginServer().equals(login)).findFirst()
                    .or(() -> UpstreamCatalog.builtIn().stream().filter(u -> u.loginServer().equals(login)).findFirst());
            if (login != null && (existing.isPresent() || UpstreamCatalog.isBuiltIn(login))) {
                entries.add(new ImportEntry(raw.location(), null, null, Action.SKIP, summary, "upstream " + login
                        + " is already known" + existing.map(u -> " (endpoint " + u.endpoint() + ")").orElse("")));
                return;
            }
            Upstream u;
            try {
                u = UpstreamCatalog.custom(raw.loginServer(), raw.endpoint(), raw.caCertPem());
            } catch (RuleValidationException e) {
                refuse(raw.location(), summary, String.join("; ", e.problems()));
                return;
            }
            known.add(u);
            newUpstreams.add(u);
            entries.add(new ImportEntry(raw.location(), null, null, Action.ADD, summary, null));
        }

        private void checkCredentialSet(RawCredentialSet raw, Map<String, CredentialSetMetadata> sets, UpstreamCatalog catalog) {
            String login = raw.loginServer() == null ? null : loginServer(raw.loginServer());
            String summary = "credential set " + raw.name() + " for " + login;
            if (raw.problem() != null) {
                refuse(raw.location(), summary, raw.problem());
                return;
            }
            String nameProblem = CredentialSetName.problem(raw.name() == null ? null : raw.name().strip());
            if (nameProblem != null) {
                refuse(raw.location(), summary, nameProblem);
                return;
            }
            if (login == null || login.isEmpty()) {
                refuse(raw.location(), summary, "the credential set has no loginServer");
                return;
            }
            if (catalog.find(login).isEmpty()) {
                refuse(raw.location(), summary, "unknown upstream '" + login + "': add it as a custom upstream first");
                return;
            }
            CredentialSetMetadata existing = sets.get(key(raw.name()));
            if (existing != null) {
                if (newSets.contains(existing)) {
                    refuse(raw.location(), summary, "duplicate: credential set '" + raw.name() + "' appears twice in the import");
                } else {
                    entries.add(new ImportEntry(raw.location(), null, null, Action.SKIP, summary,
                            "credential set '" + existing.name() + "' already exists; kept as it is"));
                }
                return;
            }
            CredentialSetMetadata set = new CredentialSetMetadata(raw.name().strip(), login,
                    vaultReference(raw.usernameSecret()), vaultReference(raw.passwordSecret()));
            sets.put(key(set.name()), set);
            newSets.add(set);
            entries.add(new ImportEntry(raw.location(), null, null, Action.ADD, summary,
                    "set its username and password before use: it stays Unhealthy (SecretNotFound) until then"));
        }

        /** Only local vault references survive; an Azure Key Vault identifier means nothing on this machine. */
        private String vaultReference(String reference) {
            return reference != null && reference.startsWith("vault:") ? reference : null;
        }

        void refuse(String location, String summary, String problem) {
            entries.add(new ImportEntry(location, null, problem, Action.REFUSE, summary, null));
        }

        int write(Connection c) throws java.sql.SQLException {
            for (Upstream u : newUpstreams) upstreams.put(c, u);
            for (CredentialSetMetadata s : newSets) credentialSets.insertAwaitingSecrets(c, s);
            // Deletes first: a replaced rule may hold a target that a new one takes.
            for (String name : replaced) rules.delete(c, name);
            for (CacheRule r : newRules) rules.insert(c, r);
            Database.bumpConfigVersion(c);
            return newUpstreams.size() + newSets.size() + newRules.size();
        }

        /** Rule checks, in file order, each against the existing rules and the entries accepted before it. */
        private final class RuleChecks {
            private final RuleValidator validator;
            private final Map<String, CredentialSetMetadata> sets;
            private final List<CacheRule> existing;
            private final Map<String, String> firstByName = new HashMap<>();
            private final Map<String, String> firstByTarget = new HashMap<>();

            RuleChecks(UpstreamCatalog catalog, Map<String, CredentialSetMetadata> sets, List<CacheRule> existing) {
                this.validator = new RuleValidator(catalog);
                this.sets = sets;
                this.existing = existing;
            }

            void check(RawRule raw) {
                if (raw.problem() != null) {
                    refuse(raw.location(), null, raw.problem());
                    return;
                }
                List<String> problems = new ArrayList<>();
                String name = trimmed(raw.name());
                String target = trimmed(raw.targetRepository());
                String source = trimmed(raw.sourceRepository());
                if (name == null) problems.add("the rule has no name");
                if (source == null) problems.add("the rule has no source repository");
                if (target == null) problems.add("the rule has no target repository");
                if (source != null) {
                    try {
                        source = SourceRepositories.normalize(source);
                    } catch (RuleValidationException e) {
                        problems.addAll(e.problems());
                    }
                }
                FreshnessPolicy freshness = FreshnessPolicy.REVALIDATE;
                try {
                    freshness = FreshnessPolicy.parse(raw.freshness());
                } catch (IllegalArgumentException e) {
                    problems.add(e.getMessage());
                }
                Instant created = Instant.now();
                if (raw.creationDate() != null && !raw.creationDate().isBlank()) {
                    try {
                        created = instant(raw.creationDate().strip());
                    } catch (DateTimeParseException | NumberFormatException e) {
                        problems.add("creationDate '" + raw.creationDate() + "' is not an ISO-8601 time such as 2024-05-01T12:00:00Z");
                    }
                }
                String credentialSet = trimmed(raw.credentialSet());
                dev.cachalot.rules.SyncPolicy sync = dev.cachalot.rules.SyncPolicy.PASSIVE;
                if (raw.sync() != null) {
                    try {
                        sync = sync.with(raw.sync(), target != null && (target.equals("*") || target.endsWith("/*")));
                    } catch (RuleValidationException e) {
                        problems.addAll(e.problems());
                    }
                }
                CacheRule rule = new CacheRule(name == null ? "" : name, source == null ? "" : source, target == null ? "" : target,
                        credentialSet, freshness, created, CacheRule.ProvisioningState.Succeeded, sync);

                Action action = Action.ADD;
                if (problems.isEmpty()) {
                    String earlier = firstByName.get(key(name));
                    if (earlier != null) {
                        problems.add("duplicate: the name '" + name + "' is already used by the entry at " + earlier);
                    }
                    String earlierTarget = firstByTarget.get(target);
                    if (earlierTarget != null) {
                        problems.add("duplicate: the target '" + target + "' is already used by the entry at " + earlierTarget);
                    }
                }
                Optional<CacheRule> same = existing.stream().filter(r -> r.name().equalsIgnoreCase(rule.name())).findFirst();
                if (problems.isEmpty() && same.isPresent()) {
                    switch (onConflict) {
                        case SKIP -> action = Action.SKIP;
                        case REPLACE -> action = Action.REPLACE;
                        case FAIL -> problems.add("a rule named '" + same.get().name()
                                + "' already exists (import with --on-conflict skip or replace)");
                    }
                }
                if (problems.isEmpty() && action != Action.SKIP && credentialSet != null) {
                    CredentialSetMetadata set = sets.get(key(credentialSet));
                    if (set == null) {
                        problems.add("credential set '" + credentialSet + "' does not exist: create it first or include it in the file");
                    } else if (!set.loginServer().equalsIgnoreCase(loginServerOf(source))) {
                        problems.add("credential set '" + credentialSet + "' is for " + set.loginServer()
                                + ", but the source is on " + loginServerOf(source));
                    }
                }
                if (problems.isEmpty() && action != Action.SKIP) {
                    List<CacheRule> baseline = new ArrayList<>();
                    for (CacheRule r : existing) {
                        if (!replaced.contains(r.name()) && !r.name().equalsIgnoreCase(rule.name())) baseline.add(r);
                    }
                    baseline.addAll(newRules);
                    problems.addAll(validator.problems(rule, baseline, repositoryExistsUnder));
                }
                // Remember the first occurrence whatever its verdict, so later duplicates can name it.
                if (name != null) firstByName.putIfAbsent(key(name), raw.location());
                if (target != null) firstByTarget.putIfAbsent(target, raw.location());

                if (!problems.isEmpty()) {
                    boolean readable = name != null && source != null && target != null;
                    entries.add(new ImportEntry(raw.location(), readable ? rule : null, String.join("; ", problems), Action.REFUSE,
                            readable ? ImportEntry.describe(rule) : null, null));
                    return;
                }
                switch (action) {
                    case SKIP -> entries.add(new ImportEntry(raw.location(), rule, null, Action.SKIP, null,
                            "a rule named '" + same.orElseThrow().name() + "' already exists; kept as it is"));
                    case REPLACE -> {
                        replaced.add(same.orElseThrow().name());
                        newRules.add(rule);
                        entries.add(new ImportEntry(raw.location(), rule, null, Action.REPLACE, null,
                                "replaces " + ImportEntry.describe(same.get())));
                    }
                    default -> {
                        newRules.add(rule);
                        entries.add(new ImportEntry(raw.location(), rule, null, Action.ADD, null, null));
                    }
                }
            }

            private String loginServerOf(String normalizedSource) {
                return SourceRepositories.loginServer(normalizedSource);
            }
        }
    }

    private static String loginServer(String text) {
        String s = text.strip();
        int scheme = s.indexOf("://");
        if (scheme >= 0) s = s.substring(scheme + 3);
        while (s.endsWith("/")) s = s.substring(0, s.length() - 1);
        return UpstreamCatalog.canonicalLoginServer(s);
    }

    private static Instant instant(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            if (text.matches("\\d{1,12}(\\.\\d{1,9})?")) {
                // aws --output json without a date format prints epoch seconds.
                BigDecimal seconds = new BigDecimal(text);
                return Instant.ofEpochSecond(seconds.longValue(), seconds.remainder(BigDecimal.ONE).movePointRight(9).longValue());
            }
            return OffsetDateTime.parse(text).toInstant();
        }
    }

    private static String trimmed(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
