package dev.cachalot.cli;

import java.io.Console;
import java.util.function.Function;

/**
 * Asks for the vault passphrase at the console (echo off) when a passphrase vault is opened without
 * {@code CACHALOT_VAULT_PASSPHRASE}; without a console it answers nothing, and the vault says which variable to set.
 */
public final class VaultPassphrasePrompt {
    private VaultPassphrasePrompt() {
    }

    /** For {@code EngineOptions.withPassphrasePrompt(...)} when the engine is opened by the CLI. */
    public static Function<String, char[]> console() {
        return message -> {
            Console console = System.console();
            return console == null ? null : console.readPassword("%s", message);
        };
    }
}
