package dev.cachalot.cli;

import dev.cachalot.registry.RegistryException;
import dev.cachalot.rules.RuleValidationException;

/** One clear line for a failure, never a stack trace. */
final class CliErrors {
    private CliErrors() {
    }

    static String message(Throwable e) {
        if (e instanceof RuleValidationException rv) {
            return String.join("\n  ", rv.problems());
        }
        if (e instanceof RegistryException || e instanceof IllegalArgumentException) {
            return e.getMessage();
        }
        Throwable t = e;
        while (t.getCause() != null && (t.getMessage() == null || t.getMessage().isBlank())) t = t.getCause();
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }
}
