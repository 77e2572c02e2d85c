package dev.cachalot.cli;

import dev.cachalot.engine.EngineAdmin;
import dev.cachalot.engine.RuleDraft;
import dev.cachalot.rules.CacheRule;
import dev.cachalot.rules.SyncDraft;
import dev.cachalot.rules.SyncPolicy;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Cache rules. */
@Command(name = "rules", mixinStandardHelpOptions = true, description = "Manage cache rules.",
        subcommands = {RulesCommand.Create.class, RulesCommand.ListRules.class, RulesCommand.Show.class, RulesCommand.Update.class,
                RulesCommand.Delete.class, RulesSyncCommand.class})
final class RulesCommand {

    /** The sync options {@code rules create} and {@code rules update} share; each one not given is null (keep). */
    static final class SyncOptions {
        @Option(names = "--sync", paramLabel = "active|passive", description = "active: sync on a schedule; passive: cache what is pulled (the default).")
        String sync;
        @Option(names = "--sync-tags", paramLabel = "FILTER", description = "Tags to sync: a glob (3.*), a list (3.19,3.20), re:REGEX or semver:RANGE.")
        String syncTags;
        @Option(names = "--sync-platforms", paramLabel = "P1,P2", description = "Platforms of an index to sync, e.g. linux/amd64,linux/arm64 (empty: all).")
        String syncPlatforms;
        @Option(names = "--sync-interval", paramLabel = "DURATION", description = "How often an active rule syncs: 30m, 12h (the default), 1d.")
        String syncInterval;
        @Option(names = "--sync-repositories", paramLabel = "R1,R2", description = "Wildcard rules: repositories to sync, the part standing for '*' (empty: those cached).")
        String syncRepositories;
        @Option(names = "--sync-referrers", paramLabel = "true|false", description = "Also sync the referrers (signatures, SBOMs) of what is synced (default: false).")
        String syncReferrers;
        @Option(names = "--sync-include-artifact-types", paramLabel = "T1,T2",
                description = "Artifact types (media types) to sync, a trailing * takes a prefix (empty: every type).")
        String syncIncludeArtifactTypes;
        @Option(names = "--sync-exclude-artifact-types", paramLabel = "T1,T2", description = "Artifact types (media types) to leave out (empty: none).")
        String syncExcludeArtifactTypes;

        SyncDraft draft() {
            return new SyncDraft(sync, syncTags, syncPlatforms, syncInterval, syncRepositories, syncReferrers,
                    syncIncludeArtifactTypes, syncExcludeArtifactTypes);
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a cache rule.")
    static final class Create extends EngineCommand {
        @Option(names = "--name", required = true, description = "5-50 letters, digits and hyphens.")
        String name;
        @Option(names = "--source", required = true, paramLabel = "SRC", description = "<login server>/<path>, e.g. docker.io/library/nginx or quay.io/org/*.")
        String source;
        @Option(names = "--target", required = true, paramLabel = "TGT", description = "Local repository, e.g. nginx or library/*.")
        String target;
        @Option(names = "--credential-set", paramLabel = "NAME", description = "Credential set for the upstream.")
        String credentialSet;
        @Option(names = "--freshness", paramLabel = "POLICY", description = "revalidate (default) or ttl:<duration>, e.g. ttl:10m.")
        String freshness;
        @Mixin
        SyncOptions syncOptions = new SyncOptions();

        @Override
        protected int run(EngineAdmin engine) {
            SyncDraft syncDraft = syncOptions.draft();
            CacheRule r = engine.createRule(new RuleDraft(name, source, target, credentialSet, freshness,
                    syncDraft.equals(SyncDraft.NONE) ? null : syncDraft));
            out().println("Created rule " + r.name() + ": " + r.sourceRepository() + " -> " + r.targetRepository());
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List cache rules.")
    static final class ListRules extends EngineCommand {
        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        protected int run(EngineAdmin engine) throws Exception {
            var rules = engine.rules();
            if (json) {
                printJson(rules.stream().map(RulesCommand::toJson).toList());
                return 0;
            }
            Table t = new Table("NAME", "SOURCE", "TARGET", "CREDENTIAL SET", "FRESHNESS", "CREATED", "SYNC");
            for (CacheRule r : rules) {
                t.row(r.name(), r.sourceRepository(), r.targetRepository(), r.credentialSet(), r.freshness().text(), r.creationDate(),
                        r.sync().isActive() ? "active every " + SyncPolicy.intervalText(r.sync().interval()) : "passive");
            }
            t.print(out());
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one cache rule.")
    static final class Show extends EngineCommand {
        @Parameters(paramLabel = "NAME")
        String name;
        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        protected int run(EngineAdmin engine) throws Exception {
            CacheRule r = find(engine, name);
            if (json) {
                printJson(toJson(r));
                return 0;
            }
            toMap(r).forEach((k, v) -> out().println(k + ": " + (v == null ? "-" : v)));
            return 0;
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true, description = "Change a rule's credential set or sync policy.",
            footer = {"", "Sync options not given keep their setting: '--sync active' switches a rule back on as it was set.",
                    "A tag FILTER is a glob (3.*), a list (3.19,3.20), re:REGEX or semver:RANGE (semver:>=3.19 <4).",
                    "An artifact type is a media type: an image's config type, such as",
                    "application/vnd.oci.image.config.v1+json, or an artifact's artifactType.",
                    "They filter the tags synced and, with --sync-referrers true, their referrers."})
    static final class Update extends EngineCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        @ArgGroup(exclusive = true, multiplicity = "0..1")
        CredentialChange change;

        static final class CredentialChange {
            @Option(names = "--credential-set", paramLabel = "NAME", description = "Use this credential set.")
            String credentialSet;
            @Option(names = "--remove-credential-set", description = "Pull anonymously.")
            boolean remove;
        }

        @Mixin
        SyncOptions syncOptions = new SyncOptions();

        @Override
        protected int run(EngineAdmin engine) {
            SyncDraft syncChange = syncOptions.draft();
            boolean changesSync = !syncChange.equals(SyncDraft.NONE);
            if (change == null && !changesSync) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "give what to change: --credential-set, --remove-credential-set, or --sync and its options");
            }
            if (change != null && changesSync) {
                // Checked before the credential set is written, so a refused sync option leaves the rule as it was.
                CacheRule current = find(engine, name);
                current.sync().with(syncChange, current.isWildcard());
            }
            CacheRule r = null;
            if (change != null) {
                r = engine.setRuleCredentialSet(name, change.remove ? null : change.credentialSet);
                out().println("Updated rule " + r.name() + ": credential set " + (r.credentialSet() == null ? "(none)" : r.credentialSet()));
            }
            if (changesSync) {
                r = engine.updateRuleSync(name, syncChange);
                out().println("Updated rule " + r.name() + ": sync " + syncLine(r.sync()));
            }
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a cache rule (cached content stays).")
    static final class Delete extends EngineCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        protected int run(EngineAdmin engine) {
            find(engine, name);
            engine.deleteRule(name);
            out().println("Deleted rule " + name);
            return 0;
        }
    }

    static CacheRule find(EngineAdmin engine, String name) {
        return engine.rules().stream().filter(r -> r.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no cache rule named '" + name + "'"));
    }

    static Map<String, Object> toMap(CacheRule r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", r.name());
        m.put("sourceRepository", r.sourceRepository());
        m.put("targetRepository", r.targetRepository());
        m.put("credentialSet", r.credentialSet());
        m.put("freshness", r.freshness().text());
        m.put("creationDate", r.creationDate() == null ? null : r.creationDate().toString());
        m.put("provisioningState", r.provisioningState() == null ? null : r.provisioningState().name());
        m.put("sync", syncLine(r.sync()));
        return m;
    }

    /**
     * {@link #toMap} and the sync policy field by field, as the management API writes it ({@code referrers},
     * {@code includeArtifactTypes}...), so scripts need not parse the sync line.
     */
    static Map<String, Object> toJson(CacheRule r) {
        Map<String, Object> m = toMap(r);
        m.put("syncPolicy", r.sync().draft());
        return m;
    }

    /**
     * {@code passive}, or {@code active every 12h, tags 3.*, platforms linux/amd64, repositories nginx,alpine, referrers,
     * artifact types T1, not artifact types T2}: settings left at their default (no referrers, every type) unsaid.
     */
    static String syncLine(SyncPolicy p) {
        StringBuilder b = new StringBuilder(p.mode().text());
        if (p.isActive()) b.append(" every ").append(SyncPolicy.intervalText(p.interval()));
        b.append(", tags ").append(p.tags().text());
        b.append(", platforms ").append(p.platforms().isAll() ? "all" : p.platforms().text());
        if (!p.repositories().isEmpty()) b.append(", repositories ").append(String.join(",", p.repositories()));
        if (p.referrers()) b.append(", referrers");
        if (!p.includeArtifactTypes().isEmpty()) b.append(", artifact types ").append(String.join(",", p.includeArtifactTypes()));
        if (!p.excludeArtifactTypes().isEmpty()) b.append(", not artifact types ").append(String.join(",", p.excludeArtifactTypes()));
        return b.toString();
    }
}
