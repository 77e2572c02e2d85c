package dev.cachalot.engine;

import dev.cachalot.rules.RuleSet;
import dev.cachalot.storage.Database;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configuration (rules, upstreams, credential sets, settings) as this engine has loaded it, kept current with
 * changes made through this engine and by other processes on the same data folder, and the announcement of the
 * latter to listeners (the app's pages).
 */
final class ConfigWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConfigWatcher.class);
    /** How often configuration written by other processes (CLI, app) is looked for: the cheap signal file. */
    private static final long CONFIG_POLL_MILLIS = 500;
    /** How often the version itself is read even if the signal did not move (a writer that died before signalling). */
    private static final long CONFIG_VERSION_READ_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final Database database;
    private final Supplier<RuleSet> loader;
    private final AtomicReference<RuleSet> ruleSet = new AtomicReference<>();
    private final AtomicLong configVersion = new AtomicLong(-1);
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService scheduler;
    /**
     * Held by this engine's own changes until they are reloaded, and by the watcher while it compares versions, so the
     * watcher never takes this engine's change for another process's.
     */
    private final Object configLock = new Object();
    /** Only the watcher thread touches these two. */
    private long lastConfigSignal;
    private long lastConfigVersionRead = System.nanoTime();
    /** Set when the engine or the JVM is shutting down, so background work stops complaining about closed parts. */
    private volatile boolean closing;

    /** Loads the configuration now; {@link #start} begins watching. */
    ConfigWatcher(Database database, Supplier<RuleSet> loader) {
        this.database = database;
        this.loader = loader;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "engine-config-watch");
            t.setDaemon(true);
            return t;
        });
        reload();
    }

    void start() {
        scheduler.scheduleWithFixedDelay(this::poll, CONFIG_POLL_MILLIS, CONFIG_POLL_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** The rule set and upstream catalog as loaded. */
    RuleSet ruleSet() {
        return ruleSet.get();
    }

    /** Runs a change made through this engine and reloads before anyone else may look: its caller knows of it. */
    <T> T changing(Supplier<T> change) {
        synchronized (configLock) {
            T result = change.get();
            reload();
            return result;
        }
    }

    AutoCloseable onChanged(Runnable listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    private void poll() {
        try {
            long signal = database.configSignal();
            long now = System.nanoTime();
            if (signal == lastConfigSignal && now - lastConfigVersionRead < CONFIG_VERSION_READ_NANOS) {
                return;
            }
            lastConfigSignal = signal;
            lastConfigVersionRead = now;
            boolean changedElsewhere;
            synchronized (configLock) {
                changedElsewhere = database.configVersion() != configVersion.get();
                if (changedElsewhere) reload();
            }
            if (changedElsewhere) announce();
        } catch (RuntimeException e) {
            if (closing || jvmShuttingDown()) {
                return; // H2's own exit hook may close the database before ours stops this poll
            }
            log.warn("Cannot reload configuration: {}", e.getMessage());
        }
    }

    /** The JVM refuses new shutdown hooks once it is shutting down; that is the one reliable way to ask. */
    private static boolean jvmShuttingDown() {
        Thread probe = new Thread(() -> { });
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }

    private void reload() {
        long version = database.configVersion();
        RuleSet snapshot = loader.get();
        ruleSet.set(snapshot);
        configVersion.set(version);
        log.debug("Configuration version {} loaded: {} rules", version, snapshot.rules().size());
    }

    /** Only changes from other processes reach here (see {@link #configLock}). */
    private void announce() {
        for (Runnable listener : listeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                log.warn("A configuration listener failed: {}", e.toString());
            }
        }
    }

    @Override
    public void close() {
        closing = true;
        scheduler.shutdownNow();
    }
}
