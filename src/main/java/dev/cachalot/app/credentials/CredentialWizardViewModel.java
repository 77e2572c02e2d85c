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
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * Creating a credential set: registry (login server filled from the catalog), name, username, password. The login is
 * tried against the upstream before anything is stored; a refused one is saved only on purpose ("Save anyway").
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
    /** What the upstream said of the login last tried, in words ("" until tried). */
    private final ReadOnlyStringWrapper loginResult = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper loginRefused = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyBooleanWrapper testing = new ReadOnlyBooleanWrapper(false);
    /** A refused login is stored only when the user asks for it after seeing the refusal. */
    private final BooleanProperty saveAnyway = new SimpleBooleanProperty(false);
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
        // a changed login has not been tried: the last answer no longer applies to it
        javafx.beans.InvalidationListener untried = o -> {
            loginResult.set("");
            loginRefused.set(false);
            saveAnyway.set(false);
        };
        upstream.addListener(untried);
        username.addListener(untried);
        password.addListener(untried);
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

    /** Tries the login against the upstream now, saving nothing; the answer shows in {@link #loginResultProperty()}. */
    public void testLogin() {
        tryLogin(() -> { }, failed -> { });
    }

    private void tryLogin(Runnable accepted, Consumer<String> refused) {
        char[] secret = password.get().toCharArray();
        String server = loginServer.get();
        String user = username.get().strip();
        testing.set(true);
        loginResult.set("Signing in to " + server + "…");
        async.run(() -> engine.checkLogin(server, user, secret), check -> {
            testing.set(false);
            loginRefused.set(!check.accepted());
            if (check.accepted()) {
                loginResult.set("Signed in to " + server + " as " + user + ".");
                accepted.run();
            } else {
                loginResult.set("Sign-in failed: " + check.errorMessage());
                refused.accept("The login was not accepted, so nothing was saved. Correct it, or tick \"Save anyway\".");
            }
        }, e -> {
            testing.set(false);
            loginRefused.set(true);
            loginResult.set("Sign-in could not be tried: " + Messages.human(e));
            refused.accept(Messages.human(e));
        });
    }

    /**
     * Tries the login first and saves the set only when the upstream accepts it, or when the user ticked "Save anyway"
     * after a refusal (the set is then stored Unhealthy, with the reason).
     */
    public void finish(Consumer<CredentialSetView> created, Consumer<String> failed) {
        String n = name.get().strip();
        // a taken name is refused before the upstream is asked: no sign-in for a set that cannot be saved
        async.run(() -> engine.credentialSets().stream().map(CredentialSetView::name)
                .filter(other -> other.equalsIgnoreCase(n)).findFirst(), taken -> {
            if (taken.isPresent()) {
                failed.accept("A credential set named '" + taken.get() + "' already exists: choose another name.");
            } else if (saveAnyway.get()) {
                save(created, failed);
            } else {
                tryLogin(() -> save(created, failed), failed);
            }
        }, e -> failed.accept(Messages.human(e)));
    }

    private void save(Consumer<CredentialSetView> created, Consumer<String> failed) {
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
    public ReadOnlyStringProperty loginResultProperty() { return loginResult.getReadOnlyProperty(); }
    public ReadOnlyBooleanProperty loginRefusedProperty() { return loginRefused.getReadOnlyProperty(); }
    public ReadOnlyBooleanProperty testingProperty() { return testing.getReadOnlyProperty(); }
    public BooleanProperty saveAnywayProperty() { return saveAnyway; }
    public BooleanBinding firstStepValid() { return firstStepValid; }
    public BooleanBinding secondStepValid() { return secondStepValid; }
}
