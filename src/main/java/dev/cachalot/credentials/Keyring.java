package dev.cachalot.credentials;

import java.util.Optional;
import java.util.function.Function;

/**
 * The operating system's keyring, where the vault keeps its key when one is reachable. Values are small ASCII
 * texts (the vault stores its key Base64-encoded).
 */
public interface Keyring {

    /** No keyring (Windows, or a test that wants another key source). */
    Keyring NONE = new Keyring() {
        @Override
        public String description() {
            return "no OS keyring";
        }

        @Override
        public boolean available() {
            return false;
        }

        @Override
        public Optional<char[]> read(String account) {
            return Optional.empty();
        }

        @Override
        public void store(String account, char[] value) {
            throw new VaultException("no OS keyring is available");
        }
    };

    /** For messages: "the Secret Service (secret-tool)", "the macOS Keychain". */
    String description();

    /** Whether the keyring can be used now (tool installed, session present). */
    boolean available();

    /** The value stored for {@code account}, or empty. The caller clears it. */
    Optional<char[]> read(String account);

    /** Stores {@code value} under {@code account}, replacing an older one. */
    void store(String account, char[] value);

    /**
     * The keyring of this machine: the Secret Service on Linux/BSD when {@code secret-tool} is installed and a
     * session bus is present, the Keychain on macOS, else {@link #NONE} (Windows' DPAPI is not reachable from
     * plain Java).
     */
    static Keyring system(Function<String, String> env) {
        String os = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT);
        if (os.contains("win")) return NONE;
        if (os.contains("mac")) return new MacKeychain();
        return new SecretToolKeyring(env);
    }
}
