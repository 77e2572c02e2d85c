package dev.cachalot.app.credentials;

import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.Async;
import dev.cachalot.app.common.Messages;
import dev.cachalot.engine.CredentialSetView;
import dev.cachalot.engine.EngineApi;
import dev.cachalot.rules.CredentialSetName;
import dev.cachalot.rules.Upstream;
import java.util.function.Consumer;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * Creating a credential set: registry (login server filled from the catalog), name, username, password.
 * The password goes to the engine's vault as a {@code char[]} and is cleared here as soon as it is stored.
 */
public final class CredentialWizardViewModel {
    private final EngineApi engine;
    private final Async async;
    private final ObservableList<Upstream> upstreams = FXCollections.observableArrayList();
    private final ObjectProperty<Upstream> upstream = new SimpleObjectProperty<>();
    private final ReadOnlyStringWrapper loginServer = new ReadOnlyStringWrapper("");
    private final StringProperty name = new SimpleStringProperty("");
    private final StringProperty username = new SimpleStringProperty("");
    private final StringProperty password = new SimpleStringProperty("");
    private final ReadOnlyStringWrapper nameError = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper signInError = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper loadError = new ReadOnlyStringWrapper("");
    private final BooleanBinding firstStepValid;
    private final BooleanBinding secondStepValid;

    public CredentialWizardViewModel(AppContext context) {
        this.engine = context.engine();
        this.async = context.async();
        upstream.addListener((o, a, u) -> {
            loginServer.set(u == null ? "" : u.loginServer());
            if (u != null && (name.get().isBlank() || a != null && name.get().equals(suggestName(a)))) name.set(suggestName(u));
        });
        nameError.bind(Bindings.createStringBinding(() -> CredentialSetName.isValid(name.get().strip()) ? ""
                : "Use 5 to 50 letters, digits or hyphens, starting with a letter or digit.", name));
        signInError.bind(Bindings.createStringBinding(() -> username.get().isBlank() ? "Enter the username."
                : password.get().isEmpty() ? "Enter the password or access token." : "", username, password));
        firstStepValid = Bindings.createBooleanBinding(() -> upstream.get() != null && nameError.get().isEmpty(), upstream, nameError);
        secondStepValid = Bindings.createBooleanBinding(() -> signInError.get().isEmpty(), signInError);
    }

    static String suggestName(Upstream u) {
        String base = u.loginServer().replaceAll("[^A-Za-z0-9]+", "-") + "-creds";
        return base.length() > 50 ? base.substring(0, 50) : base;
    }

    public void load() {
        async.run(engine::upstreams, ups -> {
            upstreams.setAll(ups.stream().filter(u -> u.authMode().allowsCredentials()).toList());
            if (upstream.get() == null && !upstreams.isEmpty()) upstream.set(upstreams.get(0));
        }, e -> loadError.set(Messages.human(e)));
    }

    public void finish(Consumer<CredentialSetView> created, Consumer<String> failed) {
        char[] secret = password.get().toCharArray();
        String n = name.get().strip();
        String server = loginServer.get();
        String user = username.get().strip();
        async.run(() -> engine.createCredentialSet(n, server, user, secret), view -> {
            password.set("");
            created.accept(view);
        }, e -> failed.accept(Messages.human(e)));
    }

    public ObservableList<Upstream> upstreams() { return upstreams; }
    public ObjectProperty<Upstream> upstreamProperty() { return upstream; }
    public ReadOnlyStringProperty loginServerProperty() { return loginServer.getReadOnlyProperty(); }
    public StringProperty nameProperty() { return name; }
    public StringProperty usernameProperty() { return username; }
    public StringProperty passwordProperty() { return password; }
    public ReadOnlyStringProperty nameErrorProperty() { return nameError.getReadOnlyProperty(); }
    public ReadOnlyStringProperty signInErrorProperty() { return signInError.getReadOnlyProperty(); }
    public ReadOnlyStringProperty loadErrorProperty() { return loadError.getReadOnlyProperty(); }
    public BooleanBinding firstStepValid() { return firstStepValid; }
    public BooleanBinding secondStepValid() { return secondStepValid; }
}
