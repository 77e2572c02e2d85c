package dev.cachalot.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code cachalot} command line. Every subcommand works on a data folder whether or not an engine serves it. */
@Command(name = "cachalot", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Local pull-through cache for container images.",
        subcommands = {ServeCommand.class, UpstreamCommand.class, RulesCommand.class, ReposCommand.class, StatsCommand.class,
                SelfTestCommand.class})
public final class CachalotCommand implements Runnable {

    @Option(names = "--data", scope = ScopeType.INHERIT, paramLabel = "DIR",
            description = "Data folder (default: $CACHALOT_DATA or the platform's user data folder).")
    Path data;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Runs the CLI; returns the exit code. */
    public static int run(String[] args) {
        return commandLine(new PrintWriter(System.out, true), new PrintWriter(System.err, true)).execute(args);
    }

    /**
     * A configured command line writing to {@code out} and {@code err} (tests use this). Each {@code execute} opens the
     * engine of the data folder only if the command needs it, and closes it when the command is done.
     */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CachalotCommand root = new CachalotCommand();
        CommandLine cl = new CommandLine(root);
        EngineSession session = new EngineSession(() -> root.data);
        cl.addSubcommand(new CredentialsCommand(f -> new ServiceCredentialsCli(session.engine().credentialService(), () -> { })));
        cl.addSubcommand(new SecretsCommand(f -> new ServiceCredentialsCli(session.engine().credentialService(), () -> { })));
        CommandLine rules = cl.getSubcommands().get("rules");
        rules.addSubcommand("import", new RulesImportCommand(() -> session.engine().ruleImporter()));
        rules.addSubcommand("export", new RulesExportCommand(() -> session.engine().ruleExporter(), new java.io.OutputStream() {
            // picocli's out is a writer; exports are text, so bytes go through it unchanged (UTF-8)
            private final java.io.ByteArrayOutputStream pending = new java.io.ByteArrayOutputStream();

            @Override
            public void write(int b) {
                pending.write(b);
            }

            @Override
            public void flush() {
                out.print(pending.toString(java.nio.charset.StandardCharsets.UTF_8));
                out.flush();
                pending.reset();
            }

            @Override
            public void close() {
                flush();
            }
        }));
        cl.setExecutionStrategy(parseResult -> {
            try {
                return new CommandLine.RunLast().execute(parseResult);
            } finally {
                session.close();
            }
        });
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("cachalot: " + CliErrors.message(e));
            return 1;
        });
        cl.setParameterExceptionHandler((e, args) -> {
            e.getCommandLine().getErr().println("cachalot: " + CliErrors.usage(e));
            return e.getCommandLine().getCommandSpec().exitCodeOnInvalidInput();
        });
        return cl;
    }
}
