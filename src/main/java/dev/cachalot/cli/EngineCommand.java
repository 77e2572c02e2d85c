package dev.cachalot.cli;

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
        try (EngineAdmin engine = target().open()) {
            return run(engine);
        }
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
