package dev.cachalot.cli;

import dev.cachalot.api.client.EngineLogin;
import dev.cachalot.api.client.EngineTrust;
import dev.cachalot.api.client.RemoteEngine;
import java.net.URI;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cachalot login URL [--user NAME]}: a token for a remote engine, checked against its management API and
 * stored for later {@code --engine URL} commands. The token (or, with {@code --user}, the password it is exchanged
 * for) is asked for with echo off or read from the first line of standard input; it is never printed.
 */
@Command(name = "login", mixinStandardHelpOptions = true,
        description = {"Log in to a remote engine and store a token for `cachalot --engine URL ...`.",
                "Without --user, a token is read (prompt with echo off, or the first line of standard input); with --user, "
                        + "the user's password, which the engine exchanges for a token."})
final class LoginCommand implements Callable<Integer> {

    @Parameters(paramLabel = "URL", description = "The engine, http(s)://host[:port].")
    URI url;

    @Option(names = "--user", paramLabel = "NAME", description = "Log in as this user with a password.")
    String user;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        URI engine = RemoteEngine.address(url);
        javax.net.ssl.SSLContext tls = EngineTrust.context(EngineTarget.extraCa());
        SecretInput input = SecretInput.system();
        String token;
        if (user == null) {
            char[] typed = input.secret("Token for " + engine + ": ");
            try {
                token = new String(typed).strip();
            } finally {
                Arrays.fill(typed, '\0');
            }
            if (token.isEmpty()) throw new IllegalArgumentException("the token is empty");
        } else {
            // The exchanged token lives minutes; what is stored is an access token made with it (30 days, revocable with
            // `cachalot tokens revoke`), so later commands keep working without the password.
            String shortLived = EngineLogin.token(engine, user, input.secret("Password of " + user + " at " + engine + ": "), tls);
            String name = "login-" + user + "-" + java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                    .withZone(java.time.ZoneOffset.UTC).format(java.time.Instant.now());
            token = new RemoteEngine(engine, shortLived, tls).createAccessToken(name, user, java.time.Duration.ofDays(30))
                    .secret();
        }
        // Checked before it is stored: a mistyped token must not sit in the file and fail every later command.
        new RemoteEngine(engine, token, tls).status();
        StoredTokens tokens = StoredTokens.defaultLocation();
        tokens.store(engine, token);
        spec.commandLine().getOut().println("Logged in to " + engine + (user == null ? "" : " as " + user)
                + "; the token is stored in " + tokens.file());
        return 0;
    }
}
