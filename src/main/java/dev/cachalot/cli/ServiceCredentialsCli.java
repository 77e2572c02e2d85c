package dev.cachalot.cli;

import dev.cachalot.credentials.CredentialService;
import dev.cachalot.credentials.CredentialSet;
import dev.cachalot.engine.CredentialSetView;
import java.util.List;
import java.util.Optional;

/** {@link CredentialsCli} over the engine's {@link CredentialService}; closes {@code owner} (the engine) when done. */
public final class ServiceCredentialsCli implements CredentialsCli {

    private final CredentialService service;
    private final AutoCloseable owner;

    public ServiceCredentialsCli(CredentialService service, AutoCloseable owner) {
        this.service = service;
        this.owner = owner;
    }

    /** A credential set without its secrets, as the engine API shows it. */
    public static CredentialSetView view(CredentialSet s) {
        return new CredentialSetView(s.name(), s.loginServer(), s.usernameSecret(), s.passwordSecret(), s.health().name(),
                s.errorCode(), s.errorMessage(), s.lastChecked(), s.rateLimitLimit(), s.rateLimitRemaining(), s.creationDate());
    }

    @Override
    public List<CredentialSetView> list() {
        return service.list().stream().map(ServiceCredentialsCli::view).toList();
    }

    @Override
    public Optional<CredentialSetView> show(String name) {
        return service.show(name).map(ServiceCredentialsCli::view);
    }

    @Override
    public CredentialSetView createWithLogin(String name, String loginServer, String username, char[] password) {
        return view(service.createWithLogin(name, loginServer, username, password));
    }

    @Override
    public CredentialSetView createFromSecrets(String name, String loginServer, String usernameSecretId, String passwordSecretId) {
        return view(service.create(name, loginServer, usernameSecretId, passwordSecretId));
    }

    @Override
    public CredentialSetView update(String name, String usernameSecretIdOrNull, String passwordSecretIdOrNull) {
        return view(service.update(name, usernameSecretIdOrNull, passwordSecretIdOrNull));
    }

    @Override
    public void delete(String name) {
        service.delete(name);
    }

    @Override
    public CredentialSetView validate(String name) {
        return view(service.validate(name));
    }

    @Override
    public void setSecret(String name, char[] value) {
        service.setSecret(name, value);
    }

    @Override
    public List<String> secretNames() {
        return service.secretNames();
    }

    @Override
    public boolean deleteSecret(String name) {
        return service.deleteSecret(name);
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
