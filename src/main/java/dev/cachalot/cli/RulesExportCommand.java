package dev.cachalot.cli;

import dev.cachalot.engine.EngineAdmin;
import dev.cachalot.rules.io.RuleFormat;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code rules export [--format cachalot-json|cachalot-yaml|acr-json|csv] [FILE]}: to stdout without FILE. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Export cache rules (with credential-set metadata and custom upstreams; never secrets).")
public final class RulesExportCommand implements Callable<Integer> {

    private final Supplier<? extends EngineAdmin> engine;
    private final OutputStream stdout;

    @Spec
    CommandSpec spec;

    @Option(names = "--format", paramLabel = "F", defaultValue = "cachalot-json",
            description = "cachalot-json (default), cachalot-yaml, acr-json or csv.")
    String format;

    @Parameters(arity = "0..1", paramLabel = "FILE", description = "Where to write; standard output when absent.")
    Path file;

    public RulesExportCommand(Supplier<? extends EngineAdmin> engine) {
        this(engine, System.out);
    }

    /** @param stdout where the export goes without FILE (bytes, so CSV and YAML stay exactly as written) */
    public RulesExportCommand(Supplier<? extends EngineAdmin> engine, OutputStream stdout) {
        this.engine = engine;
        this.stdout = stdout;
    }

    @Override
    public Integer call() throws IOException {
        RuleFormat f;
        try {
            f = RuleFormat.parseExport(format);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("error: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return 2;
        }
        if (file == null) {
            engine.get().exportRules(stdout, f);
            if (stdout instanceof PrintStream ps) ps.flush();
        } else {
            engine.get().exportRules(file, f.id());
            spec.commandLine().getErr().println("exported rules as " + f.id() + " to " + file);
            spec.commandLine().getErr().flush();
        }
        return 0;
    }
}
