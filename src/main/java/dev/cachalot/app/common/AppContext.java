package dev.cachalot.app.common;

import dev.cachalot.engine.EngineAdmin;
import dev.cachalot.engine.EngineApi;
import java.util.Objects;
import java.util.Optional;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;

/** What every page needs: the engine (the app's one door), the background runner and shared UI state. */
public final class AppContext {
    private final EngineApi engine;
    private final Async async;
    private final String dataFolder;
    private final ObjectProperty<Theme> theme = new SimpleObjectProperty<>(Theme.LIGHT);

    /**
     * @param dataFolder the engine's data folder as shown on the Settings page (read-only there)
     */
    public AppContext(EngineApi engine, Async async, String dataFolder) {
        this.engine = Objects.requireNonNull(engine);
        this.async = Objects.requireNonNull(async);
        this.dataFolder = dataFolder == null ? "" : dataFolder;
    }

    public EngineApi engine() {
        return engine;
    }

    /**
     * The engine's administration (users and access tokens), when it has one: the local {@code Engine} and a
     * {@code RemoteEngine} do; other {@link EngineApi}s (test doubles) need not.
     */
    public Optional<EngineAdmin> admin() {
        return engine instanceof EngineAdmin a ? Optional.of(a) : Optional.empty();
    }

    public Async async() {
        return async;
    }

    public String dataFolder() {
        return dataFolder;
    }

    public ObjectProperty<Theme> themeProperty() {
        return theme;
    }

    /**
     * Stops the registry server and closes the engine, waiting for both: for the app's exit, when the window's own
     * background stop may not have finished and the JVM is about to go.
     */
    public void shutDownEngine() {
        try {
            engine.stopServer();
        } catch (RuntimeException ignored) {
            // already stopped
        }
        if (engine instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing on exit: nothing left to tell the user
            }
        }
    }
}
