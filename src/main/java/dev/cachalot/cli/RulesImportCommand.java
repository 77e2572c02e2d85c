package dev.cachalot.cli;

import dev.cachalot.engine.EngineAdmin;
import dev.cachalot.rules.ImportEntry;
import dev.cachalot.rules.ImportReport;
import dev.cachalot.rules.io.ConflictPolicy;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code rules import FILE... [--format F] [--dry-run] [--on-conflict skip|fail|replace] [--valid-only]}: prints each
 * entry's location, the rule it became and OK or the reason it was refused. Exit 1 when anything was refused.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Import cache rules from Cachalot JSON/YAML, az acr cache list, az acr credential-set list, "
                + "aws ecr describe-pull-through-cache-rules output or CSV (name,source,target,credentialSet). "
                + "All or nothing unless --valid-only.")
public final class RulesImportCommand implements Callable<Integer> {

    private final Supplier<? extends EngineAdmin> engine;

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Rule files to import together.")
    List<Path> files;

    @Option(names = "--format", paramLabel = "F",
            description = "cachalot-json, cachalot-yaml, acr-json, acr-credential-sets, ecr-json or csv (default: detect).")
    String format;

    @Option(names = "--dry-run", description = "Check and report, change nothing.")
    boolean dryRun;

    @Option(names = "--on-conflict", paramLabel = "POLICY", converter = PolicyConverter.class, defaultValue = "fail",
            description = "When a rule of the same name exists: skip, fail (default) or replace.")
    ConflictPolicy onConflict;

    @Option(names = "--valid-only", description = "Import the valid entries even when others are refused.")
    boolean validOnly;

    /** @param engine opened when the command runs, so that {@code --help} needs no data folder */
    public RulesImportCommand(Supplier<? extends EngineAdmin> engine) {
        this.engine = engine;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        EngineAdmin admin = engine.get();
        ImportReport report = dryRun ? admin.previewImport(files, format, validOnly, onConflict)
                : admin.importRules(files, format, validOnly, onConflict);
        for (ImportEntry e : report.entries()) {
            out.println(line(e));
        }
        for (String problem : report.problems()) {
            err.println("error: " + problem);
        }
        long refused = report.entries().stream().filter(e -> !e.valid()).count();
        String verdict;
        if (dryRun) {
            verdict = "dry run: nothing changed";
        } else if (report.applied()) {
            verdict = "imported " + report.imported() + (report.imported() == 1 ? " entry" : " entries");
        } else {
            verdict = "nothing imported";
        }
        out.println(verdict + " (" + report.entries().size() + " checked, " + refused + " refused"
                + (report.problems().isEmpty() ? "" : ", " + report.problems().size() + " file problem(s)") + ")");
        out.flush();
        err.flush();
        return report.hasRefusals() ? 1 : 0;
    }

    /** {@code location  name: source -> target [set]  OK|SKIPPED (why)|REFUSED: why}. */
    static String line(ImportEntry e) {
        String what = e.summary() == null ? "(unreadable entry)" : e.summary();
        String verdict = switch (e.action()) {
            case ADD -> "OK";
            case REPLACE -> "OK, replaces the existing rule";
            case SKIP -> "SKIPPED: " + e.note();
            case REFUSE -> "REFUSED: " + e.problem();
        };
        if (e.valid() && e.action() == ImportEntry.Action.ADD && e.note() != null) verdict += " (" + e.note() + ")";
        return e.location() + "  " + what + "  " + verdict;
    }

    /** Lets users type the policy in lower case. */
    static final class PolicyConverter implements ITypeConverter<ConflictPolicy> {
        @Override
        public ConflictPolicy convert(String value) {
            return ConflictPolicy.parse(value);
        }
    }
}
