package dev.cachalot.app.shell;

import dev.cachalot.engine.EngineApi;

/**
 * The one place the app gets its engine from: the launcher passes the real engine of the user's data folder.
 * Called off the FX thread is not required: opening should be quick (the server starts later, in the background).
 */
public interface EngineProvider {

    EngineApi open() throws Exception;

    /** The engine's data folder, shown read-only on the Settings page. */
    default String dataFolder() {
        return "";
    }

    static EngineProvider of(EngineApi engine, String dataFolder) {
        return new EngineProvider() {
            @Override
            public EngineApi open() {
                return engine;
            }

            @Override
            public String dataFolder() {
                return dataFolder;
            }
        };
    }
}
