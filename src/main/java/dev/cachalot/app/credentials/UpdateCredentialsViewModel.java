package dev.cachalot.app.credentials;

import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.Async;
import dev.cachalot.app.common.Messages;
import dev.cachalot.engine.CredentialSetView;
import dev.cachalot.engine.EngineApi;
import java.util.function.Consumer;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/**
 * "Update credentials" of one credential set (as ACR's blade): a new username and password replace the ones in the
 * vault, and the engine checks the set against its upstream at once, so the table shows whether the new login works.
 */
public final class UpdateCredentialsViewModel {
    private final EngineApi engine;
    private final Async async;
    private final String setName;
    private final StringProperty username = new SimpleStringProperty("");
    private final StringProperty password = new SimpleStringProperty("");
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper("");
    private final BooleanBinding valid;

    public UpdateCredentialsViewModel(AppContext context, String setName) {
        this.engine = context.engine();
        this.async = context.async();
        this.setName = setName;
        // shown once something was typed: an untouched form is not a mistake
        error.bind(Bindings.createStringBinding(() -> username.get().isBlank() && password.get().isEmpty() ? ""
                : username.get().isBlank() ? "Enter the username."
                : password.get().isEmpty() ? "Enter the password or access token." : "", username, password));
        valid = Bindings.createBooleanBinding(() -> !username.get().isBlank() && !password.get().isEmpty(), username, password);
    }

    /** Stores the new login; {@code updated} receives the set with its health as checked just now. */
    public void finish(Consumer<CredentialSetView> updated, Consumer<String> failed) {
        char[] secret = password.get().toCharArray();
        String user = username.get().strip();
        async.run(() -> engine.updateCredentialSetLogin(setName, user, secret), view -> {
            password.set("");
            updated.accept(view);
        }, e -> failed.accept(Messages.human(e)));
    }

    public String setName() { return setName; }
    public StringProperty usernameProperty() { return username; }
    public StringProperty passwordProperty() { return password; }
    public ReadOnlyStringProperty errorProperty() { return error.getReadOnlyProperty(); }
    public BooleanBinding valid() { return valid; }
}
