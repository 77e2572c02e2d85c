package dev.cachalot.app.upstreams;

import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.Async;
import dev.cachalot.app.common.Messages;
import dev.cachalot.engine.EngineApi;
import dev.cachalot.engine.UpstreamCheck;
import dev.cachalot.rules.Upstream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/**
 * A custom registry being added (or edited): endpoint {@code http(s)://host[:port]}, an optional CA certificate file,
 * "Test connection" (the engine pings {@code /v2/} and says whether it answers anonymously, wants a login or cannot be
 * reached, and why) and saving it through the engine. Its login server is the endpoint's {@code host[:port]}, which is
 * what rules then name; when editing, the login server stays and only endpoint and certificate change.
 */
public final class CustomRegistryViewModel {
    private final EngineApi engine;
    private final Async async;
    /** Null while adding; the upstream's login server while editing. */
    private final String editing;
    private final StringProperty endpoint = new SimpleStringProperty("");
    private final StringProperty caFile = new SimpleStringProperty("");
    private final ReadOnlyStringWrapper endpointError = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper testResult = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(false);
    private final BooleanBinding canSubmit;
    private boolean endpointTyped;

    public CustomRegistryViewModel(AppContext context) {
        this(context, null);
    }

    /** Editing {@code existing}: its endpoint and login server are kept as the starting point. */
    public CustomRegistryViewModel(AppContext context, Upstream existing) {
        this.engine = context.engine();
        this.async = context.async();
        this.editing = existing == null ? null : existing.loginServer();
        endpoint.addListener((o, a, b) -> {
            endpointTyped = true;
            testResult.set("");
            endpointError.set(endpointProblem(b));
        });
        caFile.addListener((o, a, b) -> testResult.set(""));
        if (existing != null) endpoint.set(existing.endpoint().toString().replaceAll("/+$", ""));
        canSubmit = Bindings.createBooleanBinding(() -> endpointTyped && endpointError.get().isEmpty() && !busy.get(),
                endpointError, busy, endpoint);
    }

    /** What is wrong with the endpoint as typed, before asking the engine (which checks it fully). */
    static String endpointProblem(String text) {
        String s = text == null ? "" : text.strip();
        if (s.isEmpty()) return "Enter the registry's endpoint, e.g. https://registry.example.com:5000.";
        if (!s.startsWith("http://") && !s.startsWith("https://")) return "Start the endpoint with https:// (or http:// for a plain-HTTP registry).";
        try {
            URI uri = URI.create(s);
            if (uri.getHost() == null) return "Write the endpoint as http(s)://host[:port].";
            if (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/")) {
                return "Leave out the path: the endpoint is http(s)://host[:port].";
            }
        } catch (IllegalArgumentException e) {
            return "Write the endpoint as http(s)://host[:port].";
        }
        return "";
    }

    /** The login server rules will name: the endpoint's {@code host[:port]} (or the edited upstream's). */
    public String loginServer() {
        if (editing != null) return editing;
        URI uri = URI.create(endpoint.get().strip());
        return uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
    }

    public void testConnection() {
        if (!endpointError.get().isEmpty() || !endpointTyped) return;
        String e = endpoint.get().strip();
        String file = caFile.get();
        busy.set(true);
        error.set("");
        testResult.set("Testing " + e + "…");
        async.run(() -> engine.checkUpstream(e, readCa(file)), (UpstreamCheck check) -> {
            busy.set(false);
            testResult.set(check.summary().substring(0, 1).toUpperCase() + check.summary().substring(1));
        }, x -> {
            busy.set(false);
            testResult.set("");
            error.set(Messages.human(x));
        });
    }

    /** Adds the registry (or saves the edit); {@code saved} gets the upstream as the engine now has it. */
    public void save(Consumer<Upstream> saved) {
        String e = endpoint.get().strip();
        String file = caFile.get();
        busy.set(true);
        error.set("");
        async.run(() -> {
            String ca = readCa(file);
            return editing == null ? engine.addUpstream(loginServer(), e, ca) : engine.updateUpstream(editing, e, ca);
        }, u -> {
            busy.set(false);
            saved.accept(u);
        }, x -> {
            busy.set(false);
            error.set(Messages.human(x));
        });
    }

    private static String readCa(String file) throws java.io.IOException {
        if (file == null || file.isBlank()) return null;
        Path path = Path.of(file.strip());
        String pem = Files.readString(path);
        if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
            throw new IllegalArgumentException("The CA certificate file " + path.getFileName() + " is not a PEM certificate (no BEGIN CERTIFICATE line)");
        }
        return pem;
    }

    public boolean isEditing() { return editing != null; }
    public StringProperty endpointProperty() { return endpoint; }
    public StringProperty caFileProperty() { return caFile; }
    public ReadOnlyStringProperty endpointErrorProperty() { return endpointError.getReadOnlyProperty(); }
    public ReadOnlyStringProperty testResultProperty() { return testResult.getReadOnlyProperty(); }
    public ReadOnlyStringProperty errorProperty() { return error.getReadOnlyProperty(); }
    public ReadOnlyBooleanProperty busyProperty() { return busy.getReadOnlyProperty(); }
    public BooleanBinding canSubmit() { return canSubmit; }
}
