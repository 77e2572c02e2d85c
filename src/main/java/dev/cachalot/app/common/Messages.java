package dev.cachalot.app.common;

import dev.cachalot.rules.RuleValidationException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Turns failures into sentences a user can act on: never a stack trace, never a class name. */
public final class Messages {
    private Messages() {
    }

    public static String human(Throwable error) {
        Throwable t = error;
        while ((t instanceof ExecutionException || t instanceof CompletionException || t instanceof UncheckedIOException)
                && t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        if (t instanceof RuleValidationException rve) {
            return capitalize(String.join("\n", rve.problems()));
        }
        String message = t.getMessage();
        if (t instanceof IOException) {
            return message == null ? "The file could not be read or written." : "File problem: " + message;
        }
        if (message == null || message.isBlank()) {
            return "The operation failed unexpectedly (" + simpleName(t) + ").";
        }
        return capitalize(message);
    }

    /**
     * The failure as separate sentences, for a form that shows each under its own field: a refused rule's problems one
     * each (in the engine's words, capitalized), anything else as {@link #human} says it.
     */
    public static java.util.List<String> problems(Throwable error) {
        Throwable t = error;
        while ((t instanceof ExecutionException || t instanceof CompletionException || t instanceof UncheckedIOException)
                && t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        if (t instanceof RuleValidationException rve) return rve.problems().stream().map(Messages::capitalize).toList();
        return java.util.List.of(human(error));
    }

    static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static String simpleName(Throwable t) {
        return t.getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase();
    }
}
