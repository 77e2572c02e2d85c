package dev.cachalot.cli;

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
        // With --auth required the listener admits only admins to the API (and marks them); without, loopback only.
        engine.serveManagementApi(new ManagementApi(engine, ManagementAccess.loopbackOnly()));
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            log.info("Stopping Cachalot");
            engine.close();
            stopped.countDown();
        }, "cachalot-shutdown");
        try {
            engine.startServer(listen, tlsCert, tlsKey, new ServingOptions(auth, allowAnonymous, metrics, accessLog,
                    trustedProxies));
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
        Runtime.getRuntime().addShutdownHook(hook);
        EngineStatus status = engine.status();
        spec.commandLine().getOut().println("Cachalot serving on " + (tlsCert != null ? "https" : "http") + "://" + status.address() + " (data folder " + engine.dataFolderRoot() + ")");
        spec.commandLine().getOut().flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
