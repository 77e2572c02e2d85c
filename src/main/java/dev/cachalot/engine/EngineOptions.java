package dev.cachalot.engine;

import dev.cachalot.credentials.VaultOptions;
import dev.cachalot.storage.GarbageCollector;
import dev.cachalot.storage.PostgresSettings;
import dev.cachalot.storage.S3Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * How an engine is opened, beyond its data folder: how its vault finds the key to the secrets, which metadata
 * database it uses (the data folder's embedded H2, or a PostgreSQL database shared with other engines), and where
 * blobs are stored (the data folder by default, or an S3-compatible bucket shared with other engines), and which keys
 * sign its tokens (its own, or a key file every engine of a cluster holds). Keeps callers (the CLI) from reaching into
 * the credentials, storage and security packages for it.
 */
public final class EngineOptions {
    /** Names the token key file of a cluster node ({@link #withTokenKeyFile}); {@code auth.tokenKeyFile} in the file. */
    public static final String TOKEN_KEY_FILE_ENV = "CACHALOT_TOKEN_KEY_FILE";

    private final VaultOptions vault;
    /** Null: the data folder's H2 database. */
    private final PostgresSettings sharedDatabase;
    /** Null: blobs in the data folder. */
    private final S3Settings s3Storage;
    /** Null: the engine's own key in its data folder. */
    private final Path tokenKeyFile;
    /** How long a committed blob is safe from garbage collection; null: {@link GarbageCollector#DEFAULT_GRACE}. */
    private final Duration garbageGrace;

    private EngineOptions(VaultOptions vault, PostgresSettings sharedDatabase, S3Settings s3Storage, Path tokenKeyFile,
                          Duration garbageGrace) {
        this.vault = vault;
        this.sharedDatabase = sharedDatabase;
        this.s3Storage = s3Storage;
        this.tokenKeyFile = tokenKeyFile;
        this.garbageGrace = garbageGrace;
    }

    /**
     * This machine: the real environment ({@code CACHALOT_VAULT_PASSPHRASE}) and OS keyring; no one to ask. The
     * metadata database is PostgreSQL when {@code CACHALOT_DATABASE_URL} is set (with {@code CACHALOT_DATABASE_USER} and
     * {@code CACHALOT_DATABASE_PASSWORD} or {@code CACHALOT_DATABASE_PASSWORD_FILE}), else the data folder's own. Tokens
     * are signed with the key file {@value #TOKEN_KEY_FILE_ENV} names, when set.
     */
    public static EngineOptions system() {
        String keyFile = System.getenv(TOKEN_KEY_FILE_ENV);
        return new EngineOptions(VaultOptions.system(), PostgresSettings.fromEnvironment(System::getenv).orElse(null), null,
                keyFile == null || keyFile.isBlank() ? null : Path.of(keyFile.strip()), null);
    }

    /** Vault options of the caller's choosing (tests fake the keyring and the environment); the data folder's database. */
    public static EngineOptions withVault(VaultOptions vault) {
        return new EngineOptions(vault, null, null, null, null);
    }

    /** The same, with the metadata in a PostgreSQL database shared with other engines. */
    public EngineOptions withSharedDatabase(PostgresSettings database) {
        return new EngineOptions(vault, database, s3Storage, tokenKeyFile, garbageGrace);
    }

    /**
     * The same, asking {@code prompt} for the passphrase when a passphrase-protected vault is opened without
     * {@code CACHALOT_VAULT_PASSPHRASE}. The prompt gets the message to show and returns the passphrase typed, or null
     * when none was given; the vault clears the array after use.
     */
    public EngineOptions withPassphrasePrompt(Function<String, char[]> prompt) {
        return new EngineOptions(vault.withPrompt(prompt::apply), sharedDatabase, s3Storage, tokenKeyFile, garbageGrace);
    }

    /**
     * The same, with blobs in the S3-compatible bucket {@code settings} names; the data folder then keeps this engine's
     * copies of the blobs it serves, a cache it can lose. Opening the engine fails when the bucket does not answer.
     */
    public EngineOptions withS3Storage(S3Settings settings) {
        return new EngineOptions(vault, sharedDatabase, settings, tokenKeyFile, garbageGrace);
    }

    /**
     * The same, signing and checking tokens with the keys in {@code file} (see {@code security.TokenKeys}): the file
     * every engine behind one balancer holds, so a token one issued is good on all. Read when the server starts; a
     * missing or unusable file stops the start with one line saying why.
     */
    public EngineOptions withTokenKeyFile(Path file) {
        return new EngineOptions(vault, sharedDatabase, s3Storage, file, garbageGrace);
    }

    /** Null: the engine's own key, in its data folder. */
    Path tokenKeyFile() {
        return tokenKeyFile;
    }

    /**
     * The same, with garbage collection sparing blobs committed within {@code grace} (rather than an hour): a blob is
     * linked to its repository moments after its commit, so anything from a few minutes up is safe.
     */
    public EngineOptions withGarbageGrace(Duration grace) {
        if (grace.isNegative()) throw new IllegalArgumentException("the garbage collection grace period must not be negative");
        return new EngineOptions(vault, sharedDatabase, s3Storage, tokenKeyFile, grace);
    }

    Duration garbageGrace() {
        return garbageGrace == null ? GarbageCollector.DEFAULT_GRACE : garbageGrace;
    }

    VaultOptions vault() {
        return vault;
    }

    Optional<PostgresSettings> sharedDatabase() {
        return Optional.ofNullable(sharedDatabase);
    }

    /** Null when blobs are kept in the data folder. */
    S3Settings s3Storage() {
        return s3Storage;
    }
}
