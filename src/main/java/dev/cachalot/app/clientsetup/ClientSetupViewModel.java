package dev.cachalot.app.clientsetup;

import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.Async;
import dev.cachalot.app.common.Messages;
import dev.cachalot.engine.EngineApi;
import dev.cachalot.rules.Upstream;
import java.util.HashMap;
import java.util.Map;
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
        async.run(() -> {
            String address = engine.status().address();
            if (address == null || address.isBlank()) address = engine.settings().listen();
            // custom upstreams (and built-ins moved elsewhere) need their endpoint in the containerd snippet
            Map<String, String> endpoints = new HashMap<>();
            for (Upstream u : engine.upstreams()) {
                String endpoint = u.endpoint().toString().replaceAll("/+$", "");
                if (!endpoint.equals("https://" + u.loginServer())) endpoints.put(u.loginServer(), endpoint);
            }
            return new ClientSnippets(address, engine.rules(), endpoints);
        }, s -> {
            error.set("");
            snippets.set(s);
        }, e -> error.set(Messages.human(e)));
    }

    public ReadOnlyObjectProperty<ClientSnippets> snippetsProperty() { return snippets.getReadOnlyProperty(); }
    public ReadOnlyStringProperty errorProperty() { return error.getReadOnlyProperty(); }
}
