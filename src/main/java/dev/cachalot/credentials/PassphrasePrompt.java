package dev.cachalot.credentials;

/** Asks a person for the vault passphrase (the CLI supplies one backed by the console, echo off). */
@FunctionalInterface
public interface PassphrasePrompt {

    /** No one to ask. */
    PassphrasePrompt NONE = message -> null;

    /** The passphrase typed, or null when none was given. The vault clears the array after use. */
    char[] ask(String message);
}
