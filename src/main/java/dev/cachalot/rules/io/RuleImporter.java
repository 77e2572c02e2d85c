package dev.cachalot.rules.io;

import dev.cachalot.rules.AuthMode;
import dev.cachalot.rules.CacheRule;
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
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
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
import java.util.function.Supplier;

/**
 * Imports rule files: reads each (any {@link RuleFormat}), checks every entry exactly as rule creation does
 * (plus duplicates within the import and conflicts with existing rules), and writes all of it in one database
 * transaction, or nothing. The CLI's {@code rules import} and the app's drag-and-drop both use it.
 */
public final class RuleImporter {

    /** The rule writes of an import; {@link RuleStore} in production, a seam for tests that inject failures. */
    public interface RuleWrites {
        void insert(Connection c, CacheRule rule);

        boolean delete(Connection c, String name);
    }

    private final Database database;
    private final Supplier<List<CacheRule>> existingRules;
    private final RuleWrites ruleWrites;
    private final Supplier<List<Upstream>> customUpstreams;
    private final CredentialSetMetadataStore credentialSets;
    private final Predicate<String> repositoryExistsUnder;
    private final RuleFileReader reader;

    /**
     * @param repositoryExistsUnder whether a local repository exists at a name or under a wildcard prefix
     *                              ({@code ManifestIndex::anyRepositoryUnder})
     */
    public RuleImporter(Database database, RuleStore rules, UpstreamStore upstreams, CredentialSetMetadataStore credentialSets,
                        Predicate<String> repositoryExistsUnder) {
        this(database, rules::list, new RuleWrites() {
            @Override
            public void insert(Connection c, CacheRule rule) {
                rules.insert(c, rule);
            }

            @Override
            public boolean delete(Connection c, String name) {
                return rules.delete(c, name);
            }
        }, upstreams::list, credentialSets, repositoryExistsUnder, new RuleFileReader());
    }

    public RuleImporter(Database database, Supplier<List<CacheRule>> existingRules, RuleWrites ruleWrites,
                        Supplier<List<Upstream>> customUpstreams, CredentialSetMetadataStore credentialSets,
                        Predicate<String> repositoryExistsUnder, RuleFileReader reader) {
        this.database = database;
        this.existingRules = existingRules;
        this.ruleWrites = ruleWrites;
        this.customUpstreams = customUpstreams;
        this.credentialSets = credentialSets;
        this.repositoryExistsUnder = repositoryExistsUnder;
        this.reader = reader;
    }

    /** Checks files without changing anything. {@code format} null or blank: detect per file. Conflicts are refusals. */
    public ImportReport preview(List<Path> files, String format) {
        return preview(files, format, false, ConflictPolicy.FAIL);
    }

    /** A dry run of {@link #importRules} with the same options. */
    public ImportReport preview(List<Path> files, String format, boolean validOnly, ConflictPolicy onConflict) {
        return run(files, format, validOnly, onConflict, false);
    }

    /**
     * Imports atomically. Without {@code validOnly}, nothing is written when any entry is refused; with it, the
     * valid entries are. A failure while writing rolls everything back and is reported in {@code problems}.
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
        if (files.isEmpty()) {
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
        plan.check(read);
        boolean refused = !problems.isEmpty() || plan.entries.stream().anyMatch(e -> !e.valid());
        if (!apply || !problems.isEmpty() || (refused && !validOnly)) {
            return new ImportReport(plan.entries, problems, false, 0);
        }
        try {
            int written = database.inTransaction(c -> plan.write(c));
            return new ImportReport(plan.entries, problems, true, written);
        } catch (RuntimeException e) {
            problems.add("the import failed and nothing was changed: " + e.getMessage());
            return new ImportReport(plan.entries, problems, false, 0);
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

        void check(List<RuleFile> files) {
            List<Upstream> custom = new ArrayList<>(customUpstreams.get());
            for (RuleFile f : files) {
                for (RawUpstream u : f.upstreams()) checkUpstream(u, custom);
            }
            UpstreamCatalog catalog = new UpstreamCatalog(custom);
            Map<String, CredentialSetMetadata> sets = new HashMap<>();
            for (CredentialSetMetadata s : credentialSets.list()) sets.put(key(s.name()), s);
            for (RuleFile f : files) {
                for (RawCredentialSet s : f.credentialSets()) checkCredentialSet(s, sets, catalog);
            }
            RuleChecks checks = new RuleChecks(catalog, sets);
            for (RuleFile f : files) {
                for (RawRule r : f.rules()) checks.check(r);
            }
        }

        private void checkUpstream(RawUpstream raw, List<Upstream> known) {
            if (raw.problem() != null) {
                refuse(raw.location(), null, raw.problem());
                return;
            }
            String login = raw.loginServer() == null ? null : raw.loginServer().strip().toLowerCase(Locale.ROOT);
            String summary = "upstream " + login + " at " + raw.endpoint();
            if (login == null || login.isEmpty()) {
                refuse(raw.location(), summary, "the upstream has no loginServer");
                return;
            }
            URI endpoint;
            try {
                endpoint = URI.create(raw.endpoint() == null ? "" : raw.endpoint().strip());
                if (endpoint.getHost() == null || !("http".equals(endpoint.getScheme()) || "https".equals(endpoint.getScheme()))) {
                    throw new IllegalArgumentException();
                }
            } catch (IllegalArgumentException e) {
                refuse(raw.location(), summary, "the upstream endpoint '" + raw.endpoint() + "' is not an http(s)://host[:port] URL");
                return;
            }
            AuthMode mode;
            try {
                mode = raw.authMode() == null ? AuthMode.BOTH
                        : AuthMode.valueOf(raw.authMode().strip().toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                refuse(raw.location(), summary, "unknown authMode '" + raw.authMode() + "': use BOTH, AUTHENTICATED_ONLY or ANONYMOUS_ONLY");
                return;
            }
            Optional<Upstream> existing = known.stream().filter(u -> u.loginServer().equalsIgnoreCase(login)).findFirst()
                    .or(() -> UpstreamCatalog.builtIn().stream().filter(u -> u.loginServer().equalsIgnoreCase(login)).findFirst());
            if (existing.isPresent()) {
                entries.add(new ImportEntry(raw.location(), null, null, Action.SKIP, summary,
                        "upstream " + login + " is already known (endpoint " + existing.get().endpoint() + ")"));
                return;
            }
            Upstream u = new Upstream(raw.displayName() == null ? login : raw.displayName(), login, endpoint, mode, raw.caCertPem(), false);
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
            if (raw.name() == null || !raw.name().strip().matches("[A-Za-z0-9-]{5,50}")) {
                refuse(raw.location(), summary, raw.name() == null ? "the credential set has no name"
                        : "credential set name '" + raw.name() + "' must be 5 to 50 letters, digits or hyphens");
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
            for (Upstream u : newUpstreams) UpstreamTable.insert(c, u);
            for (CredentialSetMetadata s : newSets) credentialSets.insertAwaitingSecrets(c, s);
            // Deletes first: a replaced rule may hold a target that a new one takes.
            for (String name : replaced) ruleWrites.delete(c, name);
            for (CacheRule r : newRules) ruleWrites.insert(c, r);
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

            RuleChecks(UpstreamCatalog catalog, Map<String, CredentialSetMetadata> sets) {
                this.validator = new RuleValidator(catalog);
                this.sets = sets;
                this.existing = existingRules.get();
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
                CacheRule rule = new CacheRule(name == null ? "" : name, source == null ? "" : source, target == null ? "" : target,
                        credentialSet, freshness, created, CacheRule.ProvisioningState.Succeeded);

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
        String s = text.strip().toLowerCase(Locale.ROOT);
        int scheme = s.indexOf("://");
        if (scheme >= 0) s = s.substring(scheme + 3);
        while (s.endsWith("/")) s = s.substring(0, s.length() - 1);
        return s.equals("registry-1.docker.io") || s.equals("index.docker.io") ? "docker.io" : s;
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
