package dev.cachalot.engine;

import dev.cachalot.credentials.VaultOptions;
import java.util.function.Function;

/**
 * How an engine is opened, beyond its data folder: for now, how its vault finds the key to the secrets. Keeps callers
 * (the CLI) from reaching into the credentials package for it.
 */
public final class EngineOptions {
    private final VaultOptions vault;

    private EngineOptions(VaultOptions vault) {
        this.vault = vault;
    }

    /** This machine: the real environment ({@code CACHALOT_VAULT_PASSPHRASE}) and OS keyring; no one to ask. */
    public static EngineOptions system() {
        return new EngineOptions(VaultOptions.system());
    }

    /** Vault options of the caller's choosing (tests fake the keyring and the environment). */
    public static EngineOptions withVault(VaultOptions vault) {
        return new EngineOptions(vault);
    }

    /**
     * The same, asking {@code prompt} for the passphrase when a passphrase-protected vault is opened without
     * {@code CACHALOT_VAULT_PASSPHRASE}. The prompt gets the message to show and returns the passphrase typed, or null
     * when none was given; the vault clears the array after use.
     */
    public EngineOptions withPassphrasePrompt(Function<String, char[]> prompt) {
        return new EngineOptions(vault.withPrompt(prompt::apply));
    }

    VaultOptions vault() {
        return vault;
    }
}
