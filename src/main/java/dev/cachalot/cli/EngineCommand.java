package dev.cachalot.cli;

import dev.cachalot.engine.Engine;
import dev.cachalot.engine.EngineAdmin;
import dev.cachalot.oci.Json;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;

/** A subcommand that opens the engine of the data folder, does its work and closes it. */
abstract class EngineCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public final Integer call() throws Exception {
        try (EngineAdmin engine = Engine.open(dataFolder(), CliVault.options())) {
            return run(engine);
        }
    }

    protected abstract int run(EngineAdmin engine) throws Exception;

    Path dataFolder() {
        CommandLine root = spec.commandLine();
        while (root.getParent() != null) root = root.getParent();
        CachalotCommand top = root.getCommand();
        return top.data != null ? top.data : Engine.defaultDataFolder();
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    void printJson(Object value) throws Exception {
        out().println(Json.prettyWriter().writeValueAsString(value));
    }
}
