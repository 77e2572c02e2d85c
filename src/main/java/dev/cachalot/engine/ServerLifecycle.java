package dev.cachalot.engine;

import dev.cachalot.registry.AccessLogFormat;
import dev.cachalot.registry.RegistryServer;
import dev.cachalot.registry.RequestObserver;
import dev.cachalot.registry.ServerOptions;
import dev.cachalot.registry.TlsFiles;
import dev.cachalot.security.Authority;
import dev.cachalot.security.LoginThrottle;
import dev.cachalot.security.SigningKey;
import dev.cachalot.security.TokenKeys;
import dev.cachalot.storage.FileBlobStore;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.eclipse.jetty.server.Handler;
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
    /** Null: the engine's own key, in the data folder. */
    private final Path tokenKeyFile;
    private final List<Consumer<EngineStatus>> listeners = new CopyOnWriteArrayList<>();

    private final Object serverLock = new Object();
    private RegistryServer server;
    private ServingLock servingLock;
    /** Set once the engine closes: {@code /readyz} answers 503 from then on, while requests in flight finish. */
    private volatile boolean shuttingDown;
    private volatile EngineStatus status = new EngineStatus(EngineStatus.State.STOPPED, null, null);
    /** The management API's handler, served beside the registry from the next start on; null: none. */
    private volatile Handler management;

    /** @param tokenKeyFile the key file a cluster's engines share, or null for the engine's own key */
    ServerLifecycle(EngineParts parts, Path tokenKeyFile) {
        this.parts = parts;
        this.tokenKeyFile = tokenKeyFile;
    }

    void serveManagement(Handler handler) {
        management = handler;
    }

    EngineStatus status() {
        return status;
    }

    AutoCloseable onStatus(Consumer<EngineStatus> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /**
     * Access decisions for a listener that checks them: the token keys, the users as the configuration watcher has them
     * (current on every request), a fresh failed-login throttle.
     */
    private Authority authority(AccessPolicy policy) {
        return new Authority(parts.users, parts.config::accounts, tokenKeys(), "cachalot",
                new Authority.Settings(policy.anonymousPull(), policy.anonymousMetrics()), new LoginThrottle(), parts.clock);
    }

    /**
     * The configured key file's keys; else the engine's own key (made on the first start). Engines sharing a database
     * serve one set of users behind one balancer, so each must accept the others' tokens: without a shared key file
     * they would each sign with a key of their own, and clients would be refused at random; that start is refused.
     * See docs/decisions/0020-cluster-token-key.md.
     */
    private TokenKeys tokenKeys() {
        if (tokenKeyFile != null) {
            TokenKeys keys = TokenKeys.read(tokenKeyFile);
            // The id is public (it is in every token): it lets operators check every node logs the same one.
            log.info("Tokens signed with key {} from {} ({} key(s) accepted)", keys.signingKeyId(), tokenKeyFile, keys.size());
            return keys;
        }
        if (parts.database.isShared()) {
            throw new EngineException("engines sharing a database need one token key, or a token from one node is refused"
                    + " by the next: set auth.tokenKeyFile in the --config file (or " + EngineOptions.TOKEN_KEY_FILE_ENV
                    + ") to the same file on every node ('openssl rand -base64 32 > FILE; chmod 600 FILE', see docs/deploy)");
        }
        return TokenKeys.of(SigningKey.loadOrCreate(parts.folder.root().resolve("security")));
    }

    /** Starts (or restarts) the server; {@code listen} null: the address from the settings. */
    void start(String listen) {
        start(listen, null);
    }

    /** As {@link #start(String)}, serving HTTPS with {@code tls} when it is not null. */
    void start(String listen, TlsFiles tls) {
        start(listen, tls, ServingOptions.DESKTOP);
    }

    /**
     * As {@link #start(String, TlsFiles)}, admitting clients as {@code options} say.
     *
     * @throws EngineException when the options would leave a non-loopback listener open to pushes (one line: why)
     */
    void start(String listen, TlsFiles tls, ServingOptions options) {
        ListenAddress address = ListenAddress.parse(listen == null ? parts.settingsStore.load().listen() : listen);
        AccessPolicy policy = AccessPolicy.resolve(address, options);
        synchronized (serverLock) {
            stopServerLocked();
            setStatus(new EngineStatus(EngineStatus.State.STARTING, address.toString(), null));
            try {
                if (servingLock == null) {
                    servingLock = ServingLock.acquire(parts.folder);
                    int swept = parts.blobHousekeeping.sweepTemp();
                    if (swept > 0) log.info("Removed {} unfinished download(s) left by an earlier run", swept);
                    parts.janitor.start(); // one janitor per data folder: the serving process's
                    parts.syncs.startScheduler(); // and one sync scheduler (across a cluster, one node per rule's run)
                }
                // Before the server: the client's build (OkHttp) runs on another core while the server starts, so the first
                // pull waits less for it. Fresh process with its CDS archive, 2 vCPUs: first cold blob 84-134 -> 63-109 ms
                // to the first byte, start to ready unchanged (~580 ms). Its warm-up and TLS set-up wait until the server
                // answers (below).
                parts.upstreamClient.prepare();
                EngineOperations operations = new EngineOperations(parts.database, parts.folder.tmp(), () -> shuttingDown,
                        parts.metrics);
                Authority authority = policy.checked() ? authority(policy) : null;
                RequestObserver observer = "off".equals(System.getProperty(REQUEST_METRICS_PROPERTY))
                        ? RequestObserver.NONE
                        : (method, route, status, nanos) -> parts.metrics.requestCompleted(method, route.label(), status, nanos);
                RegistryServer s = new RegistryServer(parts.backend, new ServerOptions(tls, observer, operations, authority,
                        AccessLogFormat.valueOf(options.accessLog().name()), management, options.trustedProxies()));
                s.start(address.host(), address.port());
                server = s;
                FileBlobStore.warmUpHashing();
                String bound = new ListenAddress(address.host(), s.port()).toString();
                setStatus(new EngineStatus(EngineStatus.State.RUNNING, bound, null, tls != null,
                        policy.checked() && !policy.anonymousPull()));
                parts.upstreamClient.serving(() -> parts.config.ruleSet().pullsOverHttps());
                log.info("Cachalot registry serving on {}://{} (data folder {})", tls == null ? "http" : "https", bound,
                        parts.folder.root());
                if (!options.trustedProxies().isEmpty()) {
                    log.info("Client addresses announced by the balancers at {} (PROXY protocol) are taken as the clients'",
                            options.trustedProxies());
                }
                if (authority != null) {
                    log.info("Sign-in required{}; tokens from {}://{}/cachalot/token",
                            policy.anonymousPull() ? " to push and delete (anonymous clients may pull)" : "",
                            tls == null ? "http" : "https", bound);
                    if (tls == null && !AccessPolicy.isLoopback(address.host())) {
                        log.warn("Sign-in over plain HTTP: passwords and tokens cross the network in clear; serve HTTPS"
                                + " with --tls-cert and --tls-key ('cachalot tls init' makes a certificate)");
                    }
                    if (authority.noUsers()) {
                        log.warn("Authentication is on and there are no users yet: add one with 'cachalot users add NAME"
                                + " --role admin' (the password is read from standard input)");
                    }
                }
            } catch (Exception e) {
                String message = e.getMessage() == null ? e.toString() : e.getMessage();
                setStatus(new EngineStatus(EngineStatus.State.ERROR, address.toString(), message));
                throw new EngineException(message, e);
            }
        }
    }

    /**
     * Set to {@code off} to serve without per-request metrics (the benchmark measures what they cost: manifest requests
     * per second with and without); {@code /metrics} still answers, without the request series.
     */
    static final String REQUEST_METRICS_PROPERTY = "cachalot.metrics.requests";

    /** The port the server listens on (useful with port 0), or -1 when stopped. */
    int port() {
        synchronized (serverLock) {
            return server == null ? -1 : server.port();
        }
    }

    /** See {@link RegistryServer#releasePooledBuffers}; nothing when stopped. */
    void releasePooledBuffers() {
        synchronized (serverLock) {
            if (server != null) server.releasePooledBuffers();
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

    /** Whether this engine holds its data folder's serving lock (it served since it was opened). */
    boolean holdsServingLock() {
        synchronized (serverLock) {
            return servingLock != null;
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
