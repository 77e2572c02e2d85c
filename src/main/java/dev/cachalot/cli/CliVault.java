package dev.cachalot.cli;

import dev.cachalot.credentials.VaultOptions;

/** Vault options for interactive commands: a passphrase-protected vault may ask for its passphrase on the console. */
final class CliVault {
    private CliVault() {
    }

    static VaultOptions options() {
        return VaultOptions.system().withPrompt(VaultPassphrasePrompt.console());
    }
}
