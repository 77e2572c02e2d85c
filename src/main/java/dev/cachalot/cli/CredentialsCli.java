package dev.cachalot.cli;

import dev.cachalot.engine.CredentialSetView;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What the {@code credentials} and {@code secrets} commands need, in one place: the engine exposes it (see
 * {@link EngineCredentialsCli}), tests may give their own. Values passed in as {@code char[]} are cleared.
 */
public interface CredentialsCli extends AutoCloseable {

    /** Opens the credentials of a data folder for one command. */
    @FunctionalInterface
    interface Opener {
        CredentialsCli open(Path dataFolder);
    }

    List<CredentialSetView> list();

    Optional<CredentialSetView> show(String name);

    /** Stores the login in the vault as {@code vault:<name>-username} / {@code vault:<name>-password}. */
    CredentialSetView createWithLogin(String name, String loginServer, String username, char[] password);

    CredentialSetView createFromSecrets(String name, String loginServer, String usernameSecretId, String passwordSecretId);

    /** Null keeps a reference as it is. */
    CredentialSetView update(String name, String usernameSecretIdOrNull, String passwordSecretIdOrNull);

    void delete(String name);

    CredentialSetView validate(String name);

    void setSecret(String name, char[] value);

    List<String> secretNames();

    /** @return false when there was no such secret */
    boolean deleteSecret(String name);

    @Override
    void close();
}
