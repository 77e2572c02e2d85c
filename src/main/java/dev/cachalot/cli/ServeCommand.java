package dev.cachalot.cli;

import dev.cachalot.IdleHeapRelease;
import dev.cachalot.StopSignals;
import dev.cachalot.api.ManagementAccess;
import dev.cachalot.api.ManagementApi;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.EngineOptions;
import dev.cachalot.engine.EngineStatus;
import dev.cachalot.engine.ServerConfig;
import dev.cachalot.engine.ServingOptions;
import dev.cachalot.security.TrustedProxies;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the engine in the foreground until SIGINT/SIGTERM. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the cache's registry in the foreground.")
final class ServeCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "Address to listen on (default: the setting, 127.0.0.1:5000).")
    String listen;

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "Serve HTTPS with this PEM certificate chain (server certificate first); reloaded when it changes.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "The PEM PKCS#8 private key of --tls-cert.")
    Path tlsKey;

    @Option(names = "--auth", paramLabel = "none|required",
            description = "Whether clients must sign in (default: none on a loopback address, required elsewhere).")
    ServingOptions.Auth auth;

    @Option(names = "--allow-anonymous",
            description = "Let clients without credentials pull (never push or delete).")
    boolean allowAnonymous;

    @Option(names = "--metrics", paramLabel = "anonymous|authenticated",
            description = "Who may read /metrics (default: anyone on a loopback address, signed-in users elsewhere).")
    ServingOptions.Metrics metrics;

    @Option(names = "--access-log", paramLabel = "plain|json|off", defaultValue = "plain",
            description = "One line per request on standard output (default: ${DEFAULT-VALUE}).")
    ServingOptions.AccessLog accessLog;
    @Option(names = "--config", paramLabel = "FILE",
            description = "Server configuration (YAML: listen, tls, auth, storage, database; listen.trustedProxies names balancers sending the PROXY protocol); flags win over it. Secrets come from the environment: CACHALOT_S3_ACCESS_KEY_ID, CACHALOT_S3_SECRET_ACCESS_KEY, CACHALOT_DATABASE_PASSWORD (or their _FILE variants), CACHALOT_TOKEN_KEY_FILE (or auth.tokenKeyFile).")
    Path config;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        CommandLine root = spec.commandLine();
        while (root.getParent() != null) root = root.getParent();
        CachalotCommand top = root.getCommand();
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--tls-cert and --tls-key go together: give both or neither");
        }
        Path folder = top.data != null ? top.data : Engine.defaultDataFolder();
        EngineOptions options = EngineOptions.system();
        TrustedProxies trustedProxies = TrustedProxies.NONE;
        if (config != null) {
            ServerConfig file;
            try {
                file = ServerConfig.load(config, System.getenv());
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            options = file.applyTo(options);
            // The command line wins over the file, setting by setting (a certificate and its key as one).
            if (listen == null) listen = file.listen();
            trustedProxies = file.trustedProxies();
            if (tlsCert == null) {
                tlsCert = file.tlsCert();
                tlsKey = file.tlsKey();
            }
            if (auth == null) auth = file.auth();
            if (!allowAnonymous && file.allowAnonymous() != null) allowAnonymous = file.allowAnonymous();
        }
        // The server's classes load on a second core while the engine opens its database: a shorter start to ready.
        Thread preload = new Thread(Engine::preloadServer, "registry-preload");
        preload.setDaemon(true);
        preload.start();
        Engine engine = Engine.open(folder, options);
        // SIGTERM and Ctrl-C only ask for the stop: this thread closes the engine while the database is still open, so
        // what it writes as it closes is stored (StopSignals says why a shutdown hook could not). The hook stays for
        // the exits no signal announces; it finds the engine closed already after a graceful stop.
        CountDownLatch stopRequested = new CountDownLatch(1);
        EngineStop stop = new EngineStop(engine);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop.close(true), "cachalot-shutdown"));
        try (StopSignals signals = StopSignals.install(stopRequested::countDown);
             IdleHeapRelease heapRelease = IdleHeapRelease.start()) {
            heapRelease.beforeCollecting(engine::releaseIdleMemory);
            serve(engine, stop, trustedProxies);
            try {
                stopRequested.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stop.close(true);
        }
        return 0;
    }

    private void serve(Engine engine, EngineStop stop, TrustedProxies trustedProxies) {
        // With --auth required the listener admits only admins to the API (and marks them); without, loopback only.
        engine.serveManagementApi(new ManagementApi(engine, ManagementAccess.loopbackOnly()));
        try {
            engine.startServer(listen, tlsCert, tlsKey, new ServingOptions(auth, allowAnonymous, metrics, accessLog,
                    trustedProxies));
        } catch (RuntimeException e) {
            stop.close(false);
            throw e;
        }
        EngineStatus status = engine.status();
        spec.commandLine().getOut().println("Cachalot serving on " + (tlsCert != null ? "https" : "http") + "://" + status.address() + " (data folder " + engine.dataFolderRoot() + ")");
        spec.commandLine().getOut().flush();
    }

    /** Closes the engine once, whichever comes first: the stop this command asked for, or the JVM's shutdown. */
    private static final class EngineStop {
        private final Engine engine;
        private final AtomicBoolean closing = new AtomicBoolean();

        EngineStop(Engine engine) {
            this.engine = engine;
        }

        /** Returns at once when the engine is closing already (a shutdown hook must not wait on a stuck close). */
        void close(boolean announce) {
            if (!closing.compareAndSet(false, true)) return;
            if (announce) log.info("Stopping Cachalot");
            engine.close();
        }
    }
}
