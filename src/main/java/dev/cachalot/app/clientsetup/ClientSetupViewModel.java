package dev.cachalot.app.clientsetup;

import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.Async;
import dev.cachalot.app.common.Messages;
import dev.cachalot.engine.EngineApi;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

/** The client setup page's state: snippets for the engine's address (running, or else the saved one) and its rules. */
public final class ClientSetupViewModel {
    private final EngineApi engine;
    private final Async async;
    private final ReadOnlyObjectWrapper<ClientSnippets> snippets = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper("");

    public ClientSetupViewModel(AppContext context) {
        this.engine = context.engine();
        this.async = context.async();
    }

    public void refresh() {
        async.run(() -> ClientSnippets.forEngine(engine), s -> {
            error.set("");
            snippets.set(s);
        }, e -> error.set(Messages.human(e)));
    }

    public ReadOnlyObjectProperty<ClientSnippets> snippetsProperty() { return snippets.getReadOnlyProperty(); }
    public ReadOnlyStringProperty errorProperty() { return error.getReadOnlyProperty(); }
}
