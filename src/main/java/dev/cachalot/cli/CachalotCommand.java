package dev.cachalot.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code cachalot} command line. Every management subcommand works on a data folder whether or not an engine serves
 * it, or on a remote engine with {@code --engine URL}.
 */
@Command(name = "cachalot", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Local pull-through cache for container images.")
public final class CachalotCommand implements Runnable {

    /** Every subcommand, in the order {@code cachalot --help} lists them. */
    static final List<String> SUBCOMMANDS =
            List.of("serve", "tls", "users", "tokens", "upstream", "rules", "repos", "bundle", "stats", "gc", "selftest",
                    "credentials", "secrets", "login");

    /** Subcommands that manage an engine: the ones {@code --engine URL} applies to. */
    static final List<String> MANAGEMENT = List.of("upstream", "rules", "repos", "stats", "gc", "credentials", "secrets", "users",
            "tokens");

    @Option(names = "--data", scope = ScopeType.INHERIT, paramLabel = "DIR",
            description = "Data folder (default: $CACHALOT_DATA or the platform's user data folder).")
    Path data;

    @Option(names = "--engine", scope = ScopeType.INHERIT, paramLabel = "URL",
            description = "Manage the engine at URL (http(s)://host:port) through its management API instead of the local "
                    + "data folder; the token comes from $CACHALOT_TOKEN or `cachalot login URL`.")
    java.net.URI engine;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Runs the CLI; returns the exit code. */
    public static int run(String[] args) {
        return execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** Runs the CLI writing to {@code out} and {@code err}, building only the subcommand the arguments name. */
    static int execute(PrintWriter out, PrintWriter err, String... args) {
        return commandLine(out, err, firstSubcommand(args)).execute(args);
    }

    /** The first argument that is not a root option ({@code --engine URL}, {@code --data DIR}) or its value. */
    private static String firstSubcommand(String... args) {
        int i = 0;
        while (i < args.length && (args[i].equals("--engine") || args[i].equals("--data"))) i += 2;
        while (i < args.length && (args[i].startsWith("--engine=") || args[i].startsWith("--data="))) i++;
        return i < args.length ? args[i] : null;
    }

    /**
     * A configured command line writing to {@code out} and {@code err}, with every subcommand (tests use this). Each
     * {@code execute} opens the engine of the data folder only if the command needs it, and closes it when done.
     */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        return commandLine(out, err, null);
    }

    /**
     * As {@link #commandLine(PrintWriter, PrintWriter)}, but when {@code firstArgument} names a subcommand only that one
     * is built: picocli reflects over every registered command's classes up front, which was a third of a fresh
     * {@code serve}'s start to ready on 2 vCPUs. Anything else (no argument, an option, help, a typo to suggest a
     * correction for) gets them all.
     */
    static CommandLine commandLine(PrintWriter out, PrintWriter err, String firstArgument) {
        List<String> built = firstArgument != null && SUBCOMMANDS.contains(firstArgument) ? List.of(firstArgument) : SUBCOMMANDS;
        CachalotCommand root = new CachalotCommand();
        CommandLine cl = new CommandLine(root);
        EngineSession session = new EngineSession(() -> EngineTarget.of(root));
        for (String name : built) {
            cl.addSubcommand(name, subcommand(name, session, out));
        }
        cl.setExecutionStrategy(parseResult -> {
            try {
                refuseEngineOutsideManagement(root, parseResult);
                return new CommandLine.RunLast().execute(parseResult);
            } finally {
                session.close();
            }
        });
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            String message = CliErrors.message(e);
            try {
                message = EngineTarget.of(root).describe(message);
            } catch (IllegalArgumentException ignored) {
                // the options themselves were the failure: its message says so already
            }
            commandLine.getErr().println("cachalot: " + message);
            return 1;
        });
        cl.setParameterExceptionHandler((e, args) -> {
            e.getCommandLine().getErr().println("cachalot: " + CliErrors.usage(e));
            return e.getCommandLine().getCommandSpec().exitCodeOnInvalidInput();
        });
        return cl;
    }

    /** {@code --engine} names an engine to manage: {@code serve}, {@code tls} and {@code selftest} run here. */
    private static void refuseEngineOutsideManagement(CachalotCommand root, CommandLine.ParseResult parseResult) {
        if (root.engine == null || !parseResult.hasSubcommand()) return;
        CommandLine.ParseResult sub = parseResult.subcommand();
        String name = sub.commandSpec().name();
        if (!MANAGEMENT.contains(name)) {
            throw new CommandLine.ParameterException(sub.commandSpec().commandLine(), "--engine applies to the management "
                    + "commands (" + String.join(", ", MANAGEMENT) + "), not to '" + name + "'"
                    + (name.equals("login") ? ": give the engine's address as `cachalot login URL`" : ""));
        }
    }

    private static Object subcommand(String name, EngineSession session, PrintWriter out) {
        return switch (name) {
            case "serve" -> new ServeCommand();
            case "tls" -> new TlsCommand();
            case "users" -> new UsersCommand();
            case "tokens" -> new TokensCommand();
            case "upstream" -> new UpstreamCommand();
            case "rules" -> rules(session, out);
            case "repos" -> new ReposCommand();
            case "bundle" -> new BundleCommand();
            case "stats" -> new StatsCommand();
            case "gc" -> new GcCommand();
            case "selftest" -> new SelfTestCommand();
            case "credentials" -> new CredentialsCommand(f -> new EngineCredentialsCli(session.engine(), () -> { }));
            case "secrets" -> new SecretsCommand(f -> new EngineCredentialsCli(session.engine(), () -> { }));
            case "login" -> new LoginCommand();
            default -> throw new IllegalArgumentException("no subcommand " + name);
        };
    }

    private static CommandLine rules(EngineSession session, PrintWriter out) {
        CommandLine rules = new CommandLine(new RulesCommand());
        rules.addSubcommand("import", new RulesImportCommand(session::engine));
        rules.addSubcommand("export", new RulesExportCommand(session::engine, new java.io.OutputStream() {
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
        return rules;
    }
}
