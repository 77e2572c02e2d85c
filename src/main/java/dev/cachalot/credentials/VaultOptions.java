package dev.cachalot.credentials;

import java.util.function.Function;

/**
 * What the vault may use to find its key: the environment ({@code CACHALOT_VAULT_PASSPHRASE}), the OS keyring and a
 * prompt. Injected so tests can fake the keyring and the environment.
 *
 * @param pbkdf2Iterations iterations for a new passphrase vault (an existing vault keeps the count in its header)
 */
public record VaultOptions(Function<String, String> env, Keyring keyring, PassphrasePrompt prompt, int pbkdf2Iterations) {

    public static final String PASSPHRASE_ENV = "CACHALOT_VAULT_PASSPHRASE";
    /** Above OWASP's 2023 floor for PBKDF2-HMAC-SHA256 with the 210,000 the design asks for as a minimum. */
    public static final int DEFAULT_ITERATIONS = 310_000;
    public static final int MIN_ITERATIONS = 210_000;

    public VaultOptions {
        if (pbkdf2Iterations < MIN_ITERATIONS) {
            throw new IllegalArgumentException("PBKDF2 needs at least " + MIN_ITERATIONS + " iterations");
        }
    }

    /** This machine: real environment and keyring, no prompt. */
    public static VaultOptions system() {
        return new VaultOptions(System::getenv, Keyring.system(System::getenv), PassphrasePrompt.NONE, DEFAULT_ITERATIONS);
    }

    /** The same, asking {@code prompt} when a passphrase vault is opened without {@code CACHALOT_VAULT_PASSPHRASE}. */
    public VaultOptions withPrompt(PassphrasePrompt prompt) {
        return new VaultOptions(env, keyring, prompt, pbkdf2Iterations);
    }

    char[] passphraseFromEnv() {
        String value = env.apply(PASSPHRASE_ENV);
        return value == null || value.isEmpty() ? null : value.toCharArray();
    }
}
