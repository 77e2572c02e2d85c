package dev.cachalot.registry;

import java.io.IOException;
import java.net.BindException;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The registry's HTTP server: one listener (plain HTTP/1.1, or HTTPS with HTTP/2 through {@link TlsListener}) in front
 * (behind balancers, reading the client's address from a PROXY protocol header: {@link ProxyProtocol}) in front
 * of, in order, the access checks of server mode ({@link AccessHandler}, when the options have an authority), the
 * operational endpoints ({@link OperationsHandler}) and a {@link RegistryHandler}.
 * Call {@link #start(String, int)} once; {@link #stop()} (or {@link #close()}) lets requests in flight finish
 * for a short grace period.
 */
public final class RegistryServer implements AutoCloseable {

    /**
     * Handlers block on the backend and on blob writes, so the pool must cover every concurrent stream. Waiting for a
     * client's body holds no thread (manifests and upload chunks are read on Jetty's demand callbacks) and is bounded
     * by the minimum body pace; one address holds at most {@link ServerLimits#connectionsPerAddress()} connections.
     */
    static final int MAX_THREADS = 256;
    /** A slow client reading a large blob may stall for a while; only a connection silent this long is dropped. */
    static final long IDLE_TIMEOUT_MS = 120_000;
    static final long STOP_GRACE_MS = 5_000;
    /** How long a pool thread beyond the minimum may stay idle before it ends. */
    static final int THREAD_IDLE_MS = 10_000;

    private final RegistryBackend backend;
    private final ServerOptions options;
    private final ServerLimits limits;
    private Server server;
    private ServerConnector connector;
    private ConnectionsPerAddress perAddress;

    public RegistryServer(RegistryBackend backend) {
        this(backend, ServerOptions.plain(), ServerLimits.DEFAULT);
    }

    public RegistryServer(RegistryBackend backend, ServerLimits limits) {
        this(backend, ServerOptions.plain(), limits);
    }

    public RegistryServer(RegistryBackend backend, ServerOptions options) {
        this(backend, options, ServerLimits.DEFAULT);
    }

    public RegistryServer(RegistryBackend backend, ServerOptions options, ServerLimits limits) {
        this.backend = backend;
        this.options = options;
        this.limits = limits;
    }

    /**
     * Starts listening on {@code host:port} ({@code port} 0 picks a free port, see {@link #port()}).
     *
     * @throws IOException when the address cannot be bound; for an address in use the message says so
     */
    public synchronized void start(String host, int port) throws IOException {
        if (server != null) {
            throw new IllegalStateException("registry server already started");
        }
        Server jetty = newJetty(backend, options, limits);
        ServerConnector http = options.tls() == null
                ? new ServerConnector(jetty, 1, -1, new HttpConnectionFactory(newConfiguration()))
                : TlsListener.connector(jetty, newConfiguration(), options.tls());
        if (!options.trustedProxies().isEmpty()) {
            ProxyProtocol proxyProtocol = new ProxyProtocol(options.trustedProxies(), http.getDefaultProtocol());
            http.addFirstConnectionFactory(proxyProtocol);
            http.setDefaultProtocol(proxyProtocol.getProtocol());
        }
        ConnectionsPerAddress counted = new ConnectionsPerAddress(limits.connectionsPerAddress(), options.trustedProxies());
        http.addBean(counted);
        http.setHost(host);
        http.setPort(port);
        http.setIdleTimeout(IDLE_TIMEOUT_MS);
        http.setAcceptQueueSize(1024);
        jetty.addConnector(http);

        try {
            jetty.start();
        } catch (Exception e) {
            stopQuietly(jetty);
            if (isBindFailure(e)) {
                throw new IOException("address " + host + ":" + port + " is already in use", e);
            }
            throw new IOException("registry server could not start on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        server = jetty;
        connector = http;
        perAddress = counted;
    }

    /**
     * Drops the buffers the server's pool keeps for later requests; buffers in use stay with their requests and are not
     * pooled again. An idle process calls it before it collects, which then frees them: Jetty keeps what requests
     * released, up to an eighth of the heap bound of each kind, direct and heap (docs/decisions/0038-idle-release.md).
     */
    public synchronized void releasePooledBuffers() {
        if (server != null) server.getByteBufferPool().clear();
    }

    /** Bytes of buffers the server's pool keeps for later requests, direct or not (0 when not running). */
    synchronized long pooledBufferBytes() {
        if (server == null || !(server.getByteBufferPool() instanceof ArrayByteBufferPool pool)) return 0;
        return pool.getAvailableDirectMemory() + pool.getAvailableHeapMemory();
    }

    /** Threads of the server's pool, busy or idle (0 when not running). */
    synchronized int poolThreads() {
        return server == null ? 0 : server.getThreadPool().getThreads();
    }

    /** Connections open from {@code address}, as the per-address limit counts them. */
    synchronized int connectionsFrom(java.net.InetAddress address) {
        return perAddress == null ? 0 : perAddress.openFrom(address);
    }

    /**
     * Loads and initialises the server's classes without opening anything, so that a {@link #start} that follows is
     * quicker. Start-up calls it on a second thread while the engine opens its database.
     */
    public static void preload() {
        new ServerConnector(newJetty(null, ServerOptions.plain(), ServerLimits.DEFAULT), 1, -1, new HttpConnectionFactory(newConfiguration()));
    }

    private static Server newJetty(RegistryBackend backend, ServerOptions options, ServerLimits limits) {
        avoidJmxLookup();
        QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, 8);
        threads.setName("registry");
        // A burst grows the pool by a thread per concurrent request, and Jetty's defaults end one idle thread per 60 s:
        // after the benchmark's manifest burst (64 clients) and 32 streams the engine still had 115 threads 45 s later,
        // and would for over an hour. Threads idle for 10 s now end together: 49 threads then (RSS within run-to-run
        // noise: 154-182 MiB against 163-166).
        threads.setIdleTimeout(THREAD_IDLE_MS);
        threads.setMaxEvictCount(MAX_THREADS);
        // Cold streams and reads use buffers up to 1 MiB: pool them too (Jetty's default pool stops at 64 KiB).
        Server jetty = new Server(threads, null, new ArrayByteBufferPool.Quadratic(0, 2 << 20, 1024));
        jetty.setStopTimeout(STOP_GRACE_MS);
        jetty.setStopAtShutdown(false);
        jetty.setErrorHandler(new JsonErrorHandler());
        jetty.setRequestLog(new RequestLogger(options.observer(), options.accessLog()));
        Handler registry = new RegistryHandler(backend, limits);
        if (options.management() != null) registry = new ManagementMount(options.management(), registry);
        Handler served = new OperationsHandler(registry, options.operations());
        if (options.access() != null) {
            served = new AccessHandler(served, options.access());
        }
        // Graceful: stop() lets requests in flight finish (up to STOP_GRACE_MS) instead of cutting them.
        jetty.setHandler(new GracefulHandler(served));
        return jetty;
    }

    private static HttpConfiguration newConfiguration() {
        HttpConfiguration config = new HttpConfiguration();
        config.setSendServerVersion(false);
        config.setSendXPoweredBy(false);
        // Ambiguous or traversal-looking paths must reach RegistryPath, which answers them with a spec error
        // body; Jetty's own checks would answer with a bare 400 first.
        config.setUriCompliance(UriCompliance.UNSAFE);
        config.setIdleTimeout(IDLE_TIMEOUT_MS);
        return config;
    }

    /** The bound port (the real one when started with port 0). */
    public synchronized int port() {
        if (connector == null) {
            throw new IllegalStateException("registry server not started");
        }
        return connector.getLocalPort();
    }

    public synchronized boolean isRunning() {
        return server != null && server.isRunning();
    }

    /** Stops accepting, gives requests in flight a short grace period, then closes everything. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        stopQuietly(server);
        server = null;
        connector = null;
    }

    @Override
    public void close() {
        stop();
    }

    /**
     * Jetty sizes its padding against false sharing by asking the platform MBean server whether object references are
     * compressed; starting JMX for that costs tens of milliseconds of start-up. Answer it ourselves: references are
     * compressed by default below a 32 GiB heap, and a wrong guess only changes padding, never behaviour.
     */
    private static void avoidJmxLookup() {
        String property = "org.eclipse.jetty.util.referencesPerCacheLine";
        if (System.getProperty(property) == null) {
            boolean compressedReferences = Runtime.getRuntime().maxMemory() < 32L * 1024 * 1024 * 1024;
            System.setProperty(property, compressedReferences ? "16" : "8");
        }
    }

    private static boolean isBindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) return true;
            if (t.getCause() == t) break;
        }
        return false;
    }

    private static void stopQuietly(Server jetty) {
        try {
            jetty.stop();
        } catch (Exception ignored) {
            // stopping is best effort; the listener is closed either way
        }
    }
}
