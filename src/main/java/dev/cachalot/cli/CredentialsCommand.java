package dev.cachalot.cli;

import dev.cachalot.engine.CredentialSetView;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code credentials create|list|show|update|delete|validate}: credential sets for authenticated upstreams. Logins are
 * read from a prompt (echo off) or standard input, never from arguments; nothing printed contains a secret.
 */
@Command(name = "credentials", mixinStandardHelpOptions = true,
        description = "Manage credential sets: the upstream logins rules pull with (kept in the local vault).",
        subcommands = {CredentialsCommand.Create.class, CredentialsCommand.ListSets.class, CredentialsCommand.Show.class,
                CredentialsCommand.Update.class, CredentialsCommand.Delete.class, CredentialsCommand.Validate.class})
public final class CredentialsCommand implements Runnable, CredentialsCliCommand.Parent {

    private final CredentialsCli.Opener opener;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** @param opener opened when a subcommand runs, so that {@code --help} needs no data folder */
    public CredentialsCommand(CredentialsCli.Opener opener) {
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

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Create a credential set.",
                    "Without --username-secret/--password-secret the username and password are asked for (echo off), "
                            + "or read from standard input: the username on the first line, the password on the second."})
    static final class Create extends CredentialsCliCommand {
        @Option(names = "--name", required = true, paramLabel = "NAME", description = "5-50 letters, digits and hyphens.")
        String name;
        @Option(names = "--login-server", required = true, paramLabel = "HOST[:PORT]",
                description = "The upstream's login server: docker.io, ghcr.io, quay.io, or a custom upstream.")
        String loginServer;
        @Option(names = "--username-secret", paramLabel = "vault:NAME", description = "An existing vault secret with the username.")
        String usernameSecret;
        @Option(names = "--password-secret", paramLabel = "vault:NAME", description = "An existing vault secret with the password or token.")
        String passwordSecret;

        @Override
        protected int run(CredentialsCli credentials) {
            CredentialSetView set;
            if (usernameSecret != null || passwordSecret != null) {
                if (usernameSecret == null || passwordSecret == null) {
                    throw new IllegalArgumentException("give both --username-secret and --password-secret, or neither "
                            + "(then the username and password are read from standard input)");
                }
                set = credentials.createFromSecrets(name, loginServer, usernameSecret, passwordSecret);
            } else {
                SecretInput input = SecretInput.system();
                String username = input.line("Username: ");
                char[] password = input.secret("Password: ");
                try {
                    set = credentials.createWithLogin(name, loginServer, username, password);
                } finally {
                    Arrays.fill(password, '\0');
                }
            }
            out().println("Created credential set " + set.name() + " for " + set.loginServer());
            printHealth(set);
            return 0;
        }

        private void printHealth(CredentialSetView set) {
            out().println("Health: " + CredentialsCommand.health(set));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List credential sets and their health.")
    static final class ListSets extends CredentialsCliCommand {
        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        protected int run(CredentialsCli credentials) throws Exception {
            List<CredentialSetView> sets = credentials.list();
            if (json) {
                printJson(sets);
                return 0;
            }
            Table t = new Table("NAME", "LOGIN SERVER", "HEALTH", "ERROR", "LAST CHECKED");
            for (CredentialSetView s : sets) {
                t.row(s.name(), s.loginServer(), s.health(), s.errorCode(), s.lastChecked());
            }
            t.print(out());
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Show a credential set: secrets it references, health, last check, Docker Hub pull quota.")
    static final class Show extends CredentialsCliCommand {
        @Parameters(paramLabel = "NAME")
        String name;
        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        protected int run(CredentialsCli credentials) throws Exception {
            CredentialSetView s = credentials.show(name)
                    .orElseThrow(() -> new IllegalArgumentException("there is no credential set named '" + name + "'"));
            if (json) {
                printJson(s);
                return 0;
            }
            Table t = new Table("FIELD", "VALUE");
            t.row("Name", s.name());
            t.row("Login server", s.loginServer());
            t.row("Username secret", s.usernameSecret());
            t.row("Password secret", s.passwordSecret());
            t.row("Health", s.health());
            t.row("Error code", s.errorCode());
            t.row("Error", s.errorMessage());
            t.row("Last checked", s.lastChecked());
            t.row("Pull quota", quota(s));
            t.row("Created", s.creationDate());
            t.print(out());
            return 0;
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true, description = "Point a credential set at other vault secrets.")
    static final class Update extends CredentialsCliCommand {
        @Parameters(paramLabel = "NAME")
        String name;
        @Option(names = "--username-secret", paramLabel = "vault:NAME")
        String usernameSecret;
        @Option(names = "--password-secret", paramLabel = "vault:NAME")
        String passwordSecret;

        @Override
        protected int run(CredentialsCli credentials) {
            if (usernameSecret == null && passwordSecret == null) {
                throw new IllegalArgumentException("nothing to change: give --username-secret and/or --password-secret "
                        + "(to change a password, run `cachalot secrets set NAME`)");
            }
            CredentialSetView s = credentials.update(name, usernameSecret, passwordSecret);
            out().println("Updated credential set " + s.name());
            out().println("Health: " + health(s));
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Delete a credential set (refused while rules use it) and the secrets created for it.")
    static final class Delete extends CredentialsCliCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        protected int run(CredentialsCli credentials) {
            credentials.delete(name);
            out().println("Deleted credential set " + name);
            return 0;
        }
    }

    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = "Check a credential set against its upstream now; exit code 1 when it is unhealthy.")
    static final class Validate extends CredentialsCliCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        protected int run(CredentialsCli credentials) {
            CredentialSetView s = credentials.validate(name);
            out().println(s.name() + ": " + health(s));
            return "Healthy".equals(s.health()) ? 0 : 1;
        }
    }

    static String health(CredentialSetView s) {
        if (s.errorCode() == null) return s.health();
        return s.health() + " (" + s.errorCode() + (s.errorMessage() == null ? "" : ": " + s.errorMessage()) + ")";
    }

    /** Docker Hub's {@code ratelimit-remaining: 187;w=21600} as "187 of 200 pulls left per 6 h"; null when never seen. */
    static String quota(CredentialSetView s) {
        if (s.rateLimitLimit() == null && s.rateLimitRemaining() == null) return null;
        String limit = count(s.rateLimitLimit());
        String remaining = count(s.rateLimitRemaining());
        String window = window(s.rateLimitLimit());
        return (remaining == null ? "?" : remaining) + " of " + (limit == null ? "?" : limit) + " pulls left"
                + (window == null ? "" : " per " + window);
    }

    private static String count(String header) {
        if (header == null) return null;
        int semi = header.indexOf(';');
        return (semi < 0 ? header : header.substring(0, semi)).strip();
    }

    private static String window(String header) {
        if (header == null) return null;
        for (String part : header.split(";")) {
            String p = part.strip();
            if (p.startsWith("w=")) {
                try {
                    long seconds = Long.parseLong(p.substring(2));
                    return seconds % 3600 == 0 ? seconds / 3600 + " h" : seconds + " s";
                } catch (NumberFormatException e) {
                    return null;
                }
            }
        }
        return null;
    }
}
