package dev.cachalot.credentials;

/** Where the vault's key comes from; recorded in the vault header so every later open uses the same source. */
public enum KeySource {
    /** A random key kept in the OS keyring (Secret Service via {@code secret-tool}, macOS Keychain via {@code security}). */
    KEYRING("keyring"),
    /** A key derived with PBKDF2 from {@code CACHALOT_VAULT_PASSPHRASE} or a prompt; the salt is in the header. */
    PASSPHRASE("passphrase"),
    /** A random key in {@code vault/vault.key}, readable by its owner only. */
    KEY_FILE("key-file");

    private final String id;

    KeySource(String id) {
        this.id = id;
    }

    /** The name stored in the vault header. */
    public String id() {
        return id;
    }

    static KeySource ofId(String id) {
        for (KeySource s : values()) {
            if (s.id.equals(id)) return s;
        }
        return null;
    }
}
