package dev.cachalot.cli;

import dev.cachalot.engine.EngineOptions;

/** Vault options for interactive commands: a passphrase-protected vault may ask for its passphrase on the console. */
final class CliVault {
    private CliVault() {
    }

    static EngineOptions options() {
        return EngineOptions.system().withPassphrasePrompt(VaultPassphrasePrompt.console());
    }
}
