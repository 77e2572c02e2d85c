package dev.cachalot;

import dev.cachalot.app.CachalotApp;
import dev.cachalot.app.shell.EngineProvider;
import dev.cachalot.cli.CachalotCommand;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.EngineApi;
import dev.cachalot.storage.DataFolder;

/**
 * Entry point: with no arguments opens the desktop app on the engine of the user's data folder, otherwise runs a
 * CLI command. Does not extend {@code Application} so the JavaFX runtime can stay on the class path.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        if (args.length == 0) {
            DataFolder folder = DataFolder.defaultLocation();
            // SIGTERM (a logout, systemctl, kill) closes the app as its window's close does: the engine closes in the
            // app's stop() before the JVM's shutdown closes the database.
            try (StopSignals signals = StopSignals.install(CachalotApp::exit);
                 IdleHeapRelease heapRelease = IdleHeapRelease.start()) {
                launch(args, folder, heapRelease);
            }
            System.exit(StopSignals.exitStatus(0));
        }
        System.exit(StopSignals.exitStatus(CachalotCommand.run(args)));
    }

    private static void launch(String[] args, DataFolder folder, IdleHeapRelease heapRelease) {
        CachalotApp.launchApp(args, new EngineProvider() {
            @Override
            public EngineApi open() {
                Engine engine = Engine.open(folder);
                heapRelease.beforeCollecting(engine::releaseIdleMemory);
                return engine;
            }

            @Override
            public String dataFolder() {
                return folder.root().toString();
            }
        });
    }
}
