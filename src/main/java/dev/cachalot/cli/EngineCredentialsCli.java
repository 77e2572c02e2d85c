package dev.cachalot.cli;

import dev.cachalot.engine.CredentialSetView;
import dev.cachalot.engine.EngineAdmin;
import java.util.List;
import java.util.Optional;

/** {@link CredentialsCli} over the engine; closes {@code owner} when done (a no-op when the session owns the engine). */
public final class EngineCredentialsCli implements CredentialsCli {

    private final EngineAdmin engine;
    private final AutoCloseable owner;

    public EngineCredentialsCli(EngineAdmin engine, AutoCloseable owner) {
        this.engine = engine;
        this.owner = owner;
    }

    @Override
    public List<CredentialSetView> list() {
        return engine.credentialSets();
    }

    @Override
    public Optional<CredentialSetView> show(String name) {
        return engine.credentialSet(name);
    }

    @Override
    public CredentialSetView createWithLogin(String name, String loginServer, String username, char[] password) {
        return engine.createCredentialSet(name, loginServer, username, password);
    }

    @Override
    public CredentialSetView createFromSecrets(String name, String loginServer, String usernameSecretId, String passwordSecretId) {
        return engine.createCredentialSetFromSecrets(name, loginServer, usernameSecretId, passwordSecretId);
    }

    @Override
    public CredentialSetView update(String name, String usernameSecretIdOrNull, String passwordSecretIdOrNull) {
        return engine.updateCredentialSet(name, usernameSecretIdOrNull, passwordSecretIdOrNull);
    }

    @Override
    public void delete(String name) {
        engine.deleteCredentialSet(name);
    }

    @Override
    public CredentialSetView validate(String name) {
        return engine.validateCredentialSet(name);
    }

    @Override
    public void setSecret(String name, char[] value) {
        engine.setSecret(name, value);
    }

    @Override
    public List<String> secretNames() {
        return engine.secretNames();
    }

    @Override
    public boolean deleteSecret(String name) {
        return engine.deleteSecret(name);
    }

    @Override
    public void close() {
        try {
            owner.close();
        } catch (Exception e) {
            throw new IllegalStateException("cannot close: " + e.getMessage(), e);
        }
    }
}
