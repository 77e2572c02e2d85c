package dev.cachalot.cli;

import dev.cachalot.StopSignals;
import dev.cachalot.engine.EngineAdmin;
import dev.cachalot.oci.Json;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;

/** A subcommand that opens its engine (the data folder's, or a remote one), does its work and closes it. */
abstract class EngineCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public final Integer call() throws Exception {
        StopSignals signals = null;
        try (EngineAdmin engine = target().open()) {
            Runnable stop = stopRequest(engine);
            if (stop != null) signals = StopSignals.install(stop);
            return run(engine);
        } finally {
            // Only once the engine is closed: a signal before that would start the JVM's shutdown, and with it the
            // database's own close, while the engine still writes.
            if (signals != null) signals.close();
        }
    }

    /**
     * What SIGTERM or Ctrl-C asks of this command, for a long one that writes as it ends (a run's outcome, what its
     * engine stores as it closes): it must return at once; the command then ends as it would otherwise, its engine
     * closes, and the process exits with 128 + the signal (StopSignals). Null, the default: the JVM's own handling.
     */
    protected Runnable stopRequest(EngineAdmin engine) {
        return null;
    }

    /** The engine the root command's {@code --engine} or {@code --data} names. */
    EngineTarget target() {
        CommandLine root = spec.commandLine();
        while (root.getParent() != null) root = root.getParent();
        return EngineTarget.of(root.getCommand());
    }

    protected abstract int run(EngineAdmin engine) throws Exception;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    void printJson(Object value) throws Exception {
        out().println(Json.prettyWriter().writeValueAsString(value));
    }
}
