package dev.cachalot.engine;

import dev.cachalot.rules.RuleSet;
import dev.cachalot.security.Accounts;
import dev.cachalot.storage.Database;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configuration (rules, upstreams, credential sets, settings, and the users and access tokens of server mode) as
 * this engine has loaded it, kept current with
 * changes made through this engine and by other processes on the same data folder, and the announcement of the
 * latter to listeners (the app's pages).
 *
 * <p>Read your writes: {@link #ruleSet()}, which the registry asks on every request, first compares the
 * {@link ChangeSignal} (the {@link ConfigSignal} file of a data folder, or the version in a database several engines
 * share: {@link SharedDatabaseSignal}) with the one it last acted on, and when it moved reads the configuration version and reloads
 * before answering. Every writer commits, then rewrites the signal, then returns; so a request that arrives after a
 * change's command returned (in this process or another) sees the change. The background watcher only tells listeners,
 * within about half a second, and reads the version once a minute in case a writer died between commit and signal.
 * See docs/decisions/0003-cli-changes-reach-a-running-engine.md.
 */
final class ConfigWatcher implements AutoCloseable {
    /** Logged as the engine, as before the split: people and scripts look for these lines under that name. */
    private static final Logger log = LoggerFactory.getLogger(Engine.class);
    /** How often changes by other processes (CLI, app) are looked for, to be announced: the cheap signal file. */
    private static final long CONFIG_POLL_MILLIS = 500;
    /** How often the version itself is read even if the signal did not move (a writer that died before signalling). */
    private static final long CONFIG_VERSION_READ_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final Database database;
    private final Supplier<RuleSet> loader;
    private final Supplier<Accounts> accountsLoader;
    private final ChangeSignal signal;
    /** Written under {@link #configLock} only; {@code ruleSet} before {@code signalSeen}, so who sees the one sees the other. */
    private volatile RuleSet ruleSet;
    /** As {@link #ruleSet}: loaded with it, at the same version. */
    private volatile Accounts accounts = Accounts.NONE;
    private volatile long configVersion = -1;
    /** The signal token this engine's configuration is known to be as new as. */
    private volatile long signalSeen = ChangeSignal.UNKNOWN;
    /** A reload found a change made by another process that listeners have not been told of yet. */
    private final AtomicBoolean unannounced = new AtomicBoolean();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService scheduler;
    /** Held while the version is compared and the configuration reloaded: one reload at a time. */
    private final Object configLock = new Object();
    /**
     * Changes through this engine under way. While there are any, a reload does not count as another process's change:
     * it may be this engine's own, committed but not yet returned, and its caller knows of those. The lock is not held
     * across the change itself, because some changes check a login with the upstream, and requests must not wait for that.
     */
    private final AtomicInteger ownChangesUnderWay = new AtomicInteger();
    /** Only the watcher thread touches this. */
    private long lastConfigVersionRead = System.nanoTime();
    /** Set when the engine or the JVM is shutting down, so background work stops complaining about closed parts. */
    private volatile boolean closing;

    /** Loads the configuration now; {@link #start} begins watching. */
    ConfigWatcher(Database database, Supplier<RuleSet> loader, Supplier<Accounts> accountsLoader, ChangeSignal signal) {
        this.database = database;
        this.loader = loader;
        this.accountsLoader = accountsLoader;
        this.signal = signal;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "engine-config-watch");
            t.setDaemon(true);
            return t;
        });
        synchronized (configLock) {
            long token = signal.read();
            reload();
            signalSeen = token;
        }
    }

    void start() {
        scheduler.scheduleWithFixedDelay(this::poll, CONFIG_POLL_MILLIS, CONFIG_POLL_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * The rule set and upstream catalog, with every change whose writer has returned: reloaded first if the signal
     * moved since it was last looked at. Costs one read of the signal file when nothing changed.
     */
    RuleSet ruleSet() {
        catchUpIfSignalled();
        return ruleSet;
    }

    /**
     * The users and access tokens, with every change whose writer has returned, as {@link #ruleSet()}: a user removed
     * or a token revoked by the CLI is refused on the running engine's very next request.
     */
    Accounts accounts() {
        catchUpIfSignalled();
        return accounts;
    }

    private void catchUpIfSignalled() {
        long token = signal.read();
        if (token != signalSeen || token == ChangeSignal.UNKNOWN) {
            try {
                catchUp(token);
            } catch (RuntimeException e) {
                // The previous configuration is better than failing every request while the database is unwell.
                if (!closing && !jvmShuttingDown()) log.warn("Cannot reload configuration: {}", e.getMessage());
            }
        }
    }

    /** Reloads if the version moved: the token was read before the version, so the version is at least as new. */
    private void catchUp(long token) {
        synchronized (configLock) {
            if (token == signalSeen && token != ChangeSignal.UNKNOWN) {
                return; // another thread caught up while this one waited
            }
            reloadIfChangedElsewhere();
            signalSeen = token;
        }
    }

    /** Under {@link #configLock}. */
    private void reloadIfChangedElsewhere() {
        if (database.configVersion() != configVersion) {
            reload();
            if (ownChangesUnderWay.get() == 0) unannounced.set(true);
        }
    }

    /** Runs a change made through this engine and reloads before it returns; never announced: its caller knows of it. */
    <T> T changing(Supplier<T> change) {
        ownChangesUnderWay.incrementAndGet();
        try {
            return change.get();
        } finally {
            try {
                synchronized (configLock) {
                    reload();
                }
            } finally {
                ownChangesUnderWay.decrementAndGet();
            }
        }
    }

    AutoCloseable onChanged(Runnable listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    private void poll() {
        try {
            long now = System.nanoTime();
            if (now - lastConfigVersionRead >= CONFIG_VERSION_READ_NANOS) {
                lastConfigVersionRead = now;
                synchronized (configLock) {
                    reloadIfChangedElsewhere();
                }
            } else {
                ruleSet(); // catches up when the signal moved, unless a request did so first
            }
            if (unannounced.getAndSet(false)) announce();
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
        accounts = accountsLoader.get();
        ruleSet = snapshot;
        configVersion = version;
        log.debug("Configuration version {} loaded: {} rules", version, snapshot.rules().size());
    }

    /** Only changes from other processes reach here (see {@link #ownChangesUnderWay}). */
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
        signal.close();
    }
}
