package dev.cachalot.cli;

import dev.cachalot.oci.DistributionException;
import dev.cachalot.rules.RuleValidationException;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** One clear line for a failure, never a stack trace (scripts read the first line of stderr). */
final class CliErrors {
    /** The user-info part of a URL ({@code scheme://user:password@}), which may hold a password. */
    private static final Pattern USER_INFO = Pattern.compile("(?<=://)[^/@\\s']+@");

    private CliErrors() {
    }

    static String message(Throwable e) {
        if (e instanceof RuleValidationException rv) {
            return oneLine(String.join("; ", rv.problems()));
        }
        if (e instanceof DistributionException || e instanceof IllegalArgumentException) {
            return oneLine(e.getMessage());
        }
        Throwable t = e;
        while (t.getCause() != null && (t.getMessage() == null || t.getMessage().isBlank())) t = t.getCause();
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : oneLine(m);
    }

    /**
     * A usage error (missing option, unknown argument) as one line with where to look for help. Picocli's message
     * echoes what was typed, so a URL's user info is masked: a mistyped {@code --endpont=https://u:pw@host} must not
     * print the password.
     */
    static String usage(CommandLine.ParameterException e) {
        String help = "see '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'";
        return oneLine(USER_INFO.matcher(String.valueOf(e.getMessage())).replaceAll("***@")) + " (" + help + ")";
    }

    private static String oneLine(String text) {
        return text == null ? "" : text.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
