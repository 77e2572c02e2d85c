package dev.cachalot.cli;

import dev.cachalot.engine.EngineAdmin;
import dev.cachalot.engine.RuleDraft;
import dev.cachalot.rules.CacheRule;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Cache rules. */
@Command(name = "rules", mixinStandardHelpOptions = true, description = "Manage cache rules.",
        subcommands = {RulesCommand.Create.class, RulesCommand.ListRules.class, RulesCommand.Show.class, RulesCommand.Update.class,
                RulesCommand.Delete.class})
final class RulesCommand {

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

        @Override
        protected int run(EngineAdmin engine) {
            CacheRule r = engine.createRule(new RuleDraft(name, source, target, credentialSet, freshness));
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
                printJson(rules.stream().map(RulesCommand::toMap).toList());
                return 0;
            }
            Table t = new Table("NAME", "SOURCE", "TARGET", "CREDENTIAL SET", "FRESHNESS", "CREATED");
            for (CacheRule r : rules) {
                t.row(r.name(), r.sourceRepository(), r.targetRepository(), r.credentialSet(), r.freshness().text(), r.creationDate());
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
                printJson(toMap(r));
                return 0;
            }
            toMap(r).forEach((k, v) -> out().println(k + ": " + (v == null ? "-" : v)));
            return 0;
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true, description = "Change a rule's credential set.")
    static final class Update extends EngineCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        @ArgGroup(exclusive = true, multiplicity = "1")
        CredentialChange change;

        static final class CredentialChange {
            @Option(names = "--credential-set", paramLabel = "NAME", description = "Use this credential set.")
            String credentialSet;
            @Option(names = "--remove-credential-set", description = "Pull anonymously.")
            boolean remove;
        }

        @Override
        protected int run(EngineAdmin engine) {
            CacheRule r = engine.setRuleCredentialSet(name, change.remove ? null : change.credentialSet);
            out().println("Updated rule " + r.name() + ": credential set " + (r.credentialSet() == null ? "(none)" : r.credentialSet()));
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
        return m;
    }
}
