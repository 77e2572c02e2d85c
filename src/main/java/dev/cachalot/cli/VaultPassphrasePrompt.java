package dev.cachalot.cli;

import dev.cachalot.credentials.PassphrasePrompt;
import java.io.Console;

/**
 * Asks for the vault passphrase at the console (echo off) when a passphrase vault is opened without
 * {@code CACHALOT_VAULT_PASSPHRASE}; without a console it answers nothing, and the vault says which variable to set.
 */
public final class VaultPassphrasePrompt {
    private VaultPassphrasePrompt() {
    }

    /** For {@code VaultOptions.system().withPrompt(...)} when the engine is opened by the CLI. */
    public static PassphrasePrompt console() {
        return message -> {
            Console console = System.console();
            return console == null ? null : console.readPassword("%s", message);
        };
    }
}
