package dev.cachalot.cli;

import dev.cachalot.engine.Engine;
import dev.cachalot.oci.Json;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;

/**
 * A {@code credentials} or {@code secrets} subcommand: opens the data folder's {@link CredentialsCli} through its
 * parent command's opener, does its work and closes it.
 */
abstract class CredentialsCliCommand implements Callable<Integer> {

    /** The parent commands ({@code credentials}, {@code secrets}) that know how to open the credentials. */
    interface Parent {
        CredentialsCli.Opener opener();
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public final Integer call() throws Exception {
        CredentialsCli.Opener opener = null;
        for (CommandLine c = spec.commandLine().getParent(); c != null && opener == null; c = c.getParent()) {
            if (c.getCommand() instanceof Parent p) opener = p.opener();
        }
        if (opener == null) throw new IllegalStateException("no credentials opener for " + spec.qualifiedName());
        try (CredentialsCli credentials = opener.open(dataFolder())) {
            return run(credentials);
        }
    }

    protected abstract int run(CredentialsCli credentials) throws Exception;

    /** {@code --data} of the root command, else the default location (as {@code EngineCommand} does). */
    Path dataFolder() {
        CommandLine root = spec.commandLine();
        while (root.getParent() != null) root = root.getParent();
        if (root.getCommand() instanceof CachalotCommand top && top.data != null) {
            return top.data;
        }
        return Engine.defaultDataFolder();
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    void printJson(Object value) throws Exception {
        out().println(Json.prettyWriter().writeValueAsString(value));
    }
}
