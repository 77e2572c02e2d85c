package dev.cachalot.cli;

import dev.cachalot.engine.EngineAdmin;
import java.util.function.Supplier;

/** The engine of one CLI invocation (local or remote, see {@link EngineTarget}), opened on first use (so {@code --help} needs no data folder) and closed after. */
final class EngineSession implements AutoCloseable {
    private final Supplier<EngineTarget> target;
    private EngineAdmin engine;

    /** @param target read when the engine is first needed: after picocli has parsed {@code --data} and {@code --engine} */
    EngineSession(Supplier<EngineTarget> target) {
        this.target = target;
    }

    synchronized EngineAdmin engine() {
        if (engine == null) {
            engine = target.get().open();
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
