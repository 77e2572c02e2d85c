package dev.cachalot.app;

import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.AppPreferences;
import dev.cachalot.app.common.FxAsync;
import dev.cachalot.app.shell.EngineProvider;
import dev.cachalot.app.shell.MainWindow;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.scene.control.Alert;
import javafx.stage.Stage;

/**
 * The desktop app. Launched by {@code dev.cachalot.Main} through {@link #launchApp(String[], EngineProvider)}:
 * the provider is the one place the real engine is wired in (tests construct {@link MainWindow} on an engine of their own).
 */
public class CachalotApp extends Application {

    private static volatile EngineProvider provider;

    private FxAsync async;
    private AppContext context;
    private MainWindow window;

    /** Opens the app with the engine {@code engineProvider} gives; returns when the last window closes. */
    public static void launchApp(String[] args, EngineProvider engineProvider) {
        provider = engineProvider;
        Application.launch(CachalotApp.class, args);
    }

    /**
     * Closes the app as closing its last window does (from any thread): {@link #stop()} closes the engine, then
     * {@link #launchApp} returns.
     */
    public static void exit() {
        Platform.exit();
    }

    @Override
    public void start(Stage stage) {
        async = new FxAsync(3);
        try {
            if (provider == null) throw new IllegalStateException("no engine was given to the app");
            context = new AppContext(provider.open(), async, provider.dataFolder());
        } catch (Exception e) {
            Alert alert = new Alert(Alert.AlertType.ERROR, dev.cachalot.app.common.Messages.human(e));
            alert.setHeaderText("Cachalot could not open its cache");
            alert.showAndWait();
            Platform.exit();
            return;
        }
        window = new MainWindow(stage, context, AppPreferences.fromSystemProperty());
        window.show();
    }

    @Override
    public void stop() {
        if (window != null) window.close();
        // The window's close stops the server in the background; make sure it is down before the JVM exits.
        if (context != null) context.shutDownEngine();
        if (async != null) async.shutdown();
    }
}
