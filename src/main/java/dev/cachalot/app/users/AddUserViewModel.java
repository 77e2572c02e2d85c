package dev.cachalot.app.users;

import dev.cachalot.app.common.Async;
import dev.cachalot.app.common.Messages;
import dev.cachalot.engine.EngineAdmin;
import dev.cachalot.engine.UserView;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.binding.StringBinding;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/**
 * The "Add user" dialog: name, role, repositories and a password typed twice. The engine checks the rest (name
 * syntax, password length) and its words are shown in the dialog.
 */
public final class AddUserViewModel {
    public static final List<String> ROLES = List.of("pull", "push", "admin");
    private final EngineAdmin engine;
    private final Async async;
    private final StringProperty name = new SimpleStringProperty("");
    private final StringProperty role = new SimpleStringProperty("pull");
    private final StringProperty repositories = new SimpleStringProperty("*");
    private final StringProperty password = new SimpleStringProperty("");
    private final StringProperty confirm = new SimpleStringProperty("");
    private final StringBinding mismatch = Bindings.createStringBinding(
            () -> confirm.get().isEmpty() || confirm.get().equals(password.get()) ? "" : "The two passwords differ.",
            password, confirm);
    private final BooleanBinding valid = Bindings.createBooleanBinding(() -> !name.get().isBlank()
            && !password.get().isEmpty() && password.get().equals(confirm.get()) && role.get() != null, name, password, confirm, role);

    AddUserViewModel(EngineAdmin engine, Async async) {
        this.engine = engine;
        this.async = async;
    }

    /** Adds the user; the password's characters are cleared whatever the answer, and the fields once it is added. */
    public void finish(Consumer<UserView> added, Consumer<String> failed) {
        char[] secret = password.get().toCharArray();
        String user = name.get().strip();
        String repos = repositories.get().isBlank() ? null : repositories.get().strip();
        async.run(() -> {
            try {
                return engine.addUser(user, role.get(), repos, secret);
            } finally {
                Arrays.fill(secret, '\0');
            }
        }, view -> {
            password.set("");
            confirm.set("");
            added.accept(view);
        }, e -> failed.accept(Messages.human(e)));
    }

    public StringProperty nameProperty() { return name; }
    public StringProperty roleProperty() { return role; }
    public StringProperty repositoriesProperty() { return repositories; }
    public StringProperty passwordProperty() { return password; }
    public StringProperty confirmProperty() { return confirm; }
    public StringBinding mismatchProperty() { return mismatch; }
    public BooleanBinding valid() { return valid; }
}
