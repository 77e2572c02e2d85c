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

    @Override
    void close();
}
