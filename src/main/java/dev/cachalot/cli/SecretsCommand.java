package dev.cachalot.cli;

import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code secrets set|list|delete}: the local vault. Values come from a prompt or standard input; none is ever printed. */
@Command(name = "secrets", mixinStandardHelpOptions = true,
        description = "Manage secrets in the local vault; credential sets reference them as vault:NAME.",
        subcommands = {SecretsCommand.Set.class, SecretsCommand.ListSecrets.class, SecretsCommand.Delete.class})
public final class SecretsCommand implements Runnable, CredentialsCliCommand.Parent {

    private final CredentialsCli.Opener opener;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public SecretsCommand(CredentialsCli.Opener opener) {
        this.opener = opener;
    }

    @Override
    public CredentialsCli.Opener opener() {
        return opener;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "set", mixinStandardHelpOptions = true,
            description = "Store a secret; the value is asked for (echo off) or read from the first line of standard input.")
    static final class Set extends CredentialsCliCommand {
        @Parameters(paramLabel = "NAME", description = "1-63 lowercase letters, digits and hyphens.")
        String name;

        @Override
        protected int run(CredentialsCli credentials) {
            String n = name.startsWith("vault:") ? name.substring("vault:".length()) : name;
            char[] value = SecretInput.system().secret("Value of secret " + n + ": ");
            try {
                credentials.setSecret(n, value);
            } finally {
                Arrays.fill(value, '\0');
            }
            out().println("Stored secret vault:" + n);
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the names of the secrets (never their values).")
    static final class ListSecrets extends CredentialsCliCommand {
        @Override
        protected int run(CredentialsCli credentials) {
            for (String name : credentials.secretNames()) out().println("vault:" + name);
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a secret (refused while credential sets use it).")
    static final class Delete extends CredentialsCliCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        protected int run(CredentialsCli credentials) {
            String n = name.startsWith("vault:") ? name.substring("vault:".length()) : name;
            if (!credentials.deleteSecret(n)) throw new IllegalArgumentException("there is no secret named '" + n + "'");
            out().println("Deleted secret vault:" + n);
            return 0;
        }
    }
}
