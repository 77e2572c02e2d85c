package dev.cachalot.engine;

import dev.cachalot.rules.ImportReport;
import dev.cachalot.rules.io.ConflictPolicy;
import dev.cachalot.rules.io.RuleFormat;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The {@link EngineApi} plus what the command line needs beyond the app: import policies, export to a stream, vault
 * secrets and credential sets built from existing secrets. Implemented by {@link Engine}; kept apart so that
 * EngineApi's other implementations need not grow with the CLI.
 */
public interface EngineAdmin extends EngineApi, AutoCloseable {

    /** The data folder this engine works on (absolute). */
    Path dataFolderRoot();

    // ---- rule files ----

    /**
     * Checks rule files as {@link #importRules(List, String, boolean, ConflictPolicy)} would, changing nothing
     * (the CLI's {@code --dry-run}). {@code format} null: detect.
     */
    ImportReport previewImport(List<Path> files, String format, boolean validOnly, ConflictPolicy onConflict);

    /**
     * Imports rule files atomically, with a policy for rules whose name already exists (the CLI's
     * {@code --on-conflict}). {@code validOnly}: import the valid entries even when others are refused.
     */
    ImportReport importRules(List<Path> files, String format, boolean validOnly, ConflictPolicy onConflict);

    /** Writes rules (with credential-set metadata and custom upstreams, never secrets) to {@code out}; leaves it open. */
    void exportRules(OutputStream out, RuleFormat format) throws IOException;

    // ---- credential sets ----

    /** One credential set, without its secrets. */
    Optional<CredentialSetView> credentialSet(String name);

    /** Creates a credential set referencing vault secrets that exist already ({@code vault:NAME}). */
    CredentialSetView createCredentialSetFromSecrets(String name, String loginServer, String usernameSecretId,
                                                     String passwordSecretId);

    /** Points a credential set at other vault secrets; null keeps a reference as it is. Checks it again. */
    CredentialSetView updateCredentialSet(String name, String usernameSecretIdOrNull, String passwordSecretIdOrNull);

    // ---- vault secrets ----

    /** Stores (or replaces) a vault secret; {@code value} is cleared. */
    void setSecret(String name, char[] value);

    /** The names of the vault's secrets, never their values. */
    List<String> secretNames();

    /** Deletes a vault secret; refused while credential sets use it. @return false when there was no such secret */
    boolean deleteSecret(String name);

    // ---- server mode: users and access tokens ----

    /**
     * Adds a user; {@code password} is hashed (bcrypt) and cleared. Effective on the next request of every engine on
     * this data folder.
     *
     * @param role                 {@code pull}, {@code push} or {@code admin}
     * @param repositoriesOrNull   {@code *} (null: the same), {@code team/*}, or one repository name
     */
    UserView addUser(String name, String role, String repositoriesOrNull, char[] password);

    /** Every user, by name. */
    List<UserView> users();

    /** Removes a user and their access tokens. @return false when there was no such user */
    boolean removeUser(String name);

    /**
     * Makes an access token for {@code user}, valid for {@code validFor} (null: until revoked). The secret is in the
     * answer and nowhere else.
     */
    CreatedAccessToken createAccessToken(String name, String user, java.time.Duration validFor);

    /** Every access token, by name, without secrets. */
    List<AccessTokenView> accessTokens();

    /** Revokes an access token, and the short-lived tokens issued for it. @return false when there was no such token */
    boolean revokeAccessToken(String name);

    // ---- housekeeping

    /**
     * Collects garbage now: deletes the blobs no manifest references that were committed before the grace period and
     * that no engine is serving. {@code dryRun}: deletes nothing and reports what would go. Engines sharing a database
     * collect one at a time: refused ({@link EngineException}) while another one is at it.
     */
    GarbageCollectionReport collectGarbage(boolean dryRun);

    @Override
    void close();
}
