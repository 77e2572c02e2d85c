package dev.cachalot.app.users;

import dev.cachalot.app.common.Async;
import dev.cachalot.app.common.Messages;
import dev.cachalot.engine.CreatedAccessToken;
import dev.cachalot.engine.EngineAdmin;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/** The "Create access token" dialog: a name, whose token it is, and how long it lasts. */
public final class CreateTokenViewModel {
    /** The lifetimes offered; {@code NEVER}: until revoked. */
    public enum Expiry {
        DAYS_30("30 days", Duration.ofDays(30)), DAYS_90("90 days", Duration.ofDays(90)),
        YEAR("1 year", Duration.ofDays(365)), NEVER("Never (until revoked)", null);

        private final String label;
        private final Duration validFor;

        Expiry(String label, Duration validFor) {
            this.label = label;
            this.validFor = validFor;
        }

        public Duration validFor() {
            return validFor;
        }

        @Override
        public String toString() {
            return label;
        }
    }

    private final EngineAdmin engine;
    private final Async async;
    private final List<String> users;
    private final StringProperty name = new SimpleStringProperty("");
    private final StringProperty user = new SimpleStringProperty();
    private final ObjectProperty<Expiry> expiry = new SimpleObjectProperty<>(Expiry.DAYS_90);
    private final BooleanBinding valid = Bindings.createBooleanBinding(
            () -> !name.get().isBlank() && user.get() != null && expiry.get() != null, name, user, expiry);

    CreateTokenViewModel(EngineAdmin engine, Async async, List<String> users) {
        this.engine = engine;
        this.async = async;
        this.users = List.copyOf(users);
        if (!users.isEmpty()) user.set(users.get(0));
    }

    /** Makes the token; its secret goes to {@code created} only, for the one time it is shown. */
    public void finish(Consumer<CreatedAccessToken> created, Consumer<String> failed) {
        String tokenName = name.get().strip();
        String owner = user.get();
        Duration validFor = expiry.get().validFor();
        async.run(() -> engine.createAccessToken(tokenName, owner, validFor), created, e -> failed.accept(Messages.human(e)));
    }

    public List<String> users() { return users; }
    public StringProperty nameProperty() { return name; }
    public StringProperty userProperty() { return user; }
    public ObjectProperty<Expiry> expiryProperty() { return expiry; }
    public BooleanBinding valid() { return valid; }
}
