package dev.cachalot.cli;

import dev.cachalot.engine.AccessTokenView;
import dev.cachalot.engine.CreatedAccessToken;
import dev.cachalot.engine.EngineAdmin;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tokens create|list|revoke}: access tokens that stand in for a user's password (CI). */
@Command(name = "tokens", mixinStandardHelpOptions = true,
        description = "Manage access tokens: named, expiring stand-ins for a user's password (server mode).",
        subcommands = {TokensCommand.Create.class, TokensCommand.ListTokens.class, TokensCommand.Revoke.class})
final class TokensCommand {
    private static final Pattern LIFETIME = Pattern.compile("(\\d{1,6})([dhm])");

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Make a token and print its secret: it is shown this once and never again.")
    static final class Create extends EngineCommand {
        @Option(names = "--name", required = true, paramLabel = "NAME", description = "A name to list and revoke it by.")
        String name;

        @Option(names = "--user", required = true, paramLabel = "NAME", description = "The user it signs in as.")
        String user;

        @Option(names = "--expires", paramLabel = "30d", description = "Lifetime: days (30d), hours (12h), minutes (90m),"
                + " or 'never' (default: 30d).")
        String expires = "30d";

        @Override
        protected int run(EngineAdmin engine) {
            CreatedAccessToken created = engine.createAccessToken(name, user, lifetime(expires));
            // The secret alone on stdout, so scripts can capture it; the rest on stderr.
            out().println(created.secret());
            out().flush();
            spec.commandLine().getErr().println("Token " + created.token().name() + " for user " + created.token().user()
                    + (created.token().expires() == null ? ", never expires" : ", expires " + created.token().expires())
                    + ". Store it now: it cannot be shown again.");
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List tokens (never their secrets).")
    static final class ListTokens extends EngineCommand {
        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        protected int run(EngineAdmin engine) throws Exception {
            if (json) {
                printJson(engine.accessTokens());
                return 0;
            }
            Table t = new Table("NAME", "USER", "CREATED", "EXPIRES", "LAST USED");
            for (AccessTokenView v : engine.accessTokens()) {
                t.row(v.name(), v.user(), v.created(), v.expires() == null ? "never" : v.expires(),
                        v.lastUsed() == null ? "never" : v.lastUsed());
            }
            t.print(out());
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a token; it stops working at once.")
    static final class Revoke extends EngineCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        protected int run(EngineAdmin engine) {
            if (!engine.revokeAccessToken(name)) throw new IllegalArgumentException("there is no token named '" + name + "'");
            out().println("Revoked token " + name);
            return 0;
        }
    }

    /** {@code 30d}, {@code 12h}, {@code 90m}, or {@code never} (null). */
    static Duration lifetime(String text) {
        String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        if (t.equals("never")) return null;
        Matcher m = LIFETIME.matcher(t);
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new IllegalArgumentException("invalid --expires '" + text + "': use a number of days, hours or minutes such as"
                    + " 30d, 12h or 90m, or 'never'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "d" -> Duration.ofDays(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofMinutes(n);
        };
    }
}
