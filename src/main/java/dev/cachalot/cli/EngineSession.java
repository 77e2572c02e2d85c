package dev.cachalot.cli;

import dev.cachalot.engine.Engine;
import dev.cachalot.engine.EngineAdmin;
import java.nio.file.Path;
import java.util.function.Supplier;

/** The engine of one CLI invocation, opened on first use (so {@code --help} needs no data folder) and closed after. */
final class EngineSession implements AutoCloseable {
    private final Supplier<Path> dataOption;
    private EngineAdmin engine;

    EngineSession(Supplier<Path> dataOption) {
        this.dataOption = dataOption;
    }

    synchronized EngineAdmin engine() {
        if (engine == null) {
            Path data = dataOption.get();
            engine = Engine.open(data != null ? data : Engine.defaultDataFolder(), CliVault.options());
        }
        return engine;
    }

    @Override
    public synchronized void close() {
        if (engine != null) {
            engine.close();
            engine = null;
        }
    }
}
