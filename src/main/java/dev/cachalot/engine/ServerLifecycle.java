package dev.cachalot.engine;

import dev.cachalot.registry.RegistryServer;
import dev.cachalot.registry.ServerOptions;
import dev.cachalot.registry.TlsFiles;
import dev.cachalot.storage.FileBlobStore;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starting and stopping the registry server of one engine, and the status its listeners see. The first start takes
 * the data folder's {@link ServingLock} and keeps it until {@link #close}: from then on this process owns the folder's
 * downloads in flight, sweeps what an earlier run left and runs the cache janitor.
 */
final class ServerLifecycle implements AutoCloseable {
    /** Logged as the engine, as before the split: people and scripts look for these lines under that name. */
    private static final Logger log = LoggerFactory.getLogger(Engine.class);

    private final EngineParts parts;
    private final List<Consumer<EngineStatus>> listeners = new CopyOnWriteArrayList<>();

    private final Object serverLock = new Object();
    private RegistryServer server;
    private ServingLock servingLock;
    /** Set once the engine closes: {@code /readyz} answers 503 from then on, while requests in flight finish. */
    private volatile boolean shuttingDown;
    private volatile EngineStatus status = new EngineStatus(EngineStatus.State.STOPPED, null, null);

    ServerLifecycle(EngineParts parts) {
        this.parts = parts;
    }

    EngineStatus status() {
        return status;
    }

    AutoCloseable onStatus(Consumer<EngineStatus> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Starts (or restarts) the server; {@code listen} null: the address from the settings. */
    void start(String listen) {
        start(listen, null);
    }

    /** As {@link #start(String)}, serving HTTPS with {@code tls} when it is not null. */
    void start(String listen, TlsFiles tls) {
        ListenAddress address = ListenAddress.parse(listen == null ? parts.settingsStore.load().listen() : listen);
        synchronized (serverLock) {
            stopServerLocked();
            setStatus(new EngineStatus(EngineStatus.State.STARTING, address.toString(), null));
            try {
                if (servingLock == null) {
                    servingLock = ServingLock.acquire(parts.folder);
                    int swept = parts.blobs.sweepTemp();
                    if (swept > 0) log.info("Removed {} unfinished download(s) left by an earlier run", swept);
                    parts.janitor.start(); // one janitor per data folder: the serving process's
                }
                // Before the server: the client's build (OkHttp, the TLS trust store) runs on another core while the server
                // starts, so the first pull waits less for it. Fresh process with its CDS archive, 2 vCPUs: first cold blob
                // 84-134 -> 63-109 ms to the first byte, start to ready unchanged (~580 ms).
                parts.upstreamClient.prepare();
                EngineOperations operations = new EngineOperations(parts.database, parts.folder.tmp(), () -> shuttingDown,
                        parts.metrics);
                RegistryServer s = new RegistryServer(parts.backend, new ServerOptions(tls, (method, route, status, nanos) ->
                        parts.metrics.requestCompleted(method, route.label(), status, nanos), operations));
                s.start(address.host(), address.port());
                server = s;
                FileBlobStore.warmUpHashing();
                String bound = new ListenAddress(address.host(), s.port()).toString();
                setStatus(new EngineStatus(EngineStatus.State.RUNNING, bound, null, tls != null));
                log.info("Cachalot registry serving on {}://{} (data folder {})", tls == null ? "http" : "https", bound,
                        parts.folder.root());
            } catch (Exception e) {
                String message = e.getMessage() == null ? e.toString() : e.getMessage();
                setStatus(new EngineStatus(EngineStatus.State.ERROR, address.toString(), message));
                throw new EngineException(message, e);
            }
        }
    }

    /** The port the server listens on (useful with port 0), or -1 when stopped. */
    int port() {
        synchronized (serverLock) {
            return server == null ? -1 : server.port();
        }
    }

    void stop() {
        synchronized (serverLock) {
            stopServerLocked();
            setStatus(new EngineStatus(EngineStatus.State.STOPPED, null, null));
        }
    }

    private void stopServerLocked() {
        if (server != null) {
            try {
                server.stop();
            } catch (Exception e) {
                log.warn("Stopping the registry server failed: {}", e.getMessage());
            }
            server = null;
        }
    }

    /** Stops the server and gives up the serving lock; the status turns STOPPED only once {@link #announceStopped}. */
    @Override
    public void close() {
        shuttingDown = true;
        synchronized (serverLock) {
            stopServerLocked();
            if (servingLock != null) {
                servingLock.close();
                servingLock = null;
            }
        }
    }

    /** Tells listeners the engine is stopped, once every part is closed. */
    void announceStopped() {
        setStatus(new EngineStatus(EngineStatus.State.STOPPED, null, null));
    }

    private void setStatus(EngineStatus s) {
        status = s;
        for (Consumer<EngineStatus> l : listeners) {
            try {
                l.accept(s);
            } catch (RuntimeException e) {
                log.warn("Status listener failed", e);
            }
        }
    }
}
