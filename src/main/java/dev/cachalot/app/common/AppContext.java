package dev.cachalot.app.common;

import dev.cachalot.engine.EngineApi;
import java.util.Objects;
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

    public Async async() {
        return async;
    }

    public String dataFolder() {
        return dataFolder;
    }

    public ObjectProperty<Theme> themeProperty() {
        return theme;
    }
}
