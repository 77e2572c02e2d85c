package dev.cachalot.app;

import dev.cachalot.credentials.CredentialService;
import dev.cachalot.credentials.CredentialSetStore;
import dev.cachalot.credentials.Keyring;
import dev.cachalot.credentials.PassphrasePrompt;
import dev.cachalot.credentials.Vault;
import dev.cachalot.credentials.VaultCredentials;
import dev.cachalot.credentials.VaultOptions;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.EngineSettings;
import dev.cachalot.rules.RuleStore;
import dev.cachalot.rules.UpstreamStore;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.storage.Database;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The real engine on a temporary data folder, as the app's tests run it: no vault passphrase and no keyring (the vault
 * keeps its key in a file of the folder), and the server on an ephemeral loopback port.
 */
public final class TestEngine {
    public static final VaultOptions NO_PASSPHRASE =
            new VaultOptions(name -> null, Keyring.NONE, PassphrasePrompt.NONE, VaultOptions.MIN_ITERATIONS);

    private TestEngine() {
    }

    /** Opens the engine of {@code folder} (created if missing), to serve on {@code 127.0.0.1:0} once started. */
    public static Engine open(Path folder) {
        Engine engine = Engine.open(new DataFolder(folder), NO_PASSPHRASE);
        engine.updateSettings(new EngineSettings("127.0.0.1:0", "revalidate", 0));
        return engine;
    }

    /**
     * Stores a credential set in {@code folder} as the engine stores it, but without checking the login against its
     * upstream: for Docker Hub, which a test may not reach (the engine's own create always checks). Call it before the
     * engine of that folder is opened.
     */
    public static void addUncheckedCredentialSet(Path folder, String name, String loginServer, String username, String password) {
        DataFolder data = new DataFolder(folder).ensureCreated();
        Database database = Database.open(data);
        try {
            CredentialSetStore store = new CredentialSetStore(database);
            Vault vault = new Vault(data, NO_PASSPHRASE);
            new CredentialService(database, store, new RuleStore(database), new UpstreamStore(database), vault,
                    new VaultCredentials(store, vault, Clock.systemUTC()), null, Clock.systemUTC())
                    .createWithLogin(name, loginServer, username, password.toCharArray());
        } finally {
            database.close();
        }
    }

    /** The value the vault of {@code folder} holds for {@code secretId} ({@code vault:name}), or null. */
    public static String vaultSecret(Path folder, String secretId) {
        return new Vault(new DataFolder(folder), NO_PASSPHRASE).resolve(secretId).map(String::new).orElse(null);
    }
}
