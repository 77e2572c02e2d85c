package dev.cachalot.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.EngineAdmin;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;

/** A subcommand that opens the engine of the data folder, does its work and closes it. */
abstract class EngineCommand implements Callable<Integer> {

    /** Built on first use: picocli instantiates every command at start, and most never print JSON. */
    static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .enable(SerializationFeature.INDENT_OUTPUT);
    }

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
        out().println(Json.MAPPER.writeValueAsString(value));
    }
}
