package dev.cachalot.engine;

import dev.cachalot.upstream.DeferredUpstreamClient;
import dev.cachalot.upstream.OkHttpUpstreamClient;
import dev.cachalot.proxy.PullThroughBackend;
import dev.cachalot.credentials.CredentialService;
import dev.cachalot.credentials.CredentialSetStore;
import dev.cachalot.credentials.Vault;
import dev.cachalot.credentials.VaultCredentials;
import dev.cachalot.credentials.VaultOptions;
import dev.cachalot.registry.RegistryServer;
import dev.cachalot.rules.CacheRule;
import dev.cachalot.rules.FreshnessPolicy;
import dev.cachalot.rules.ImportReport;
import dev.cachalot.rules.RuleService;
import dev.cachalot.rules.RuleSet;
import dev.cachalot.rules.RuleStore;
import dev.cachalot.rules.Upstream;
import dev.cachalot.rules.io.ConflictPolicy;
import dev.cachalot.rules.io.CredentialSetTable;
import dev.cachalot.rules.io.RuleExporter;
import dev.cachalot.rules.io.RuleImporter;
import dev.cachalot.rules.UpstreamStore;
import dev.cachalot.stats.PullEvent;
import dev.cachalot.stats.PullCounts;
import dev.cachalot.stats.PullEventRecorder;
import dev.cachalot.stats.PullStatistics;
import dev.cachalot.stats.RepositoryStats;
import dev.cachalot.stats.StatsTotals;
import dev.cachalot.stats.TimeBucket;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.storage.Database;
import dev.cachalot.storage.FileBlobStore;
import dev.cachalot.storage.JdbcMetadataStore;
import dev.cachalot.storage.MetadataStore;
import dev.cachalot.storage.RepositoryKind;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The caching engine of one data folder: metadata, blob store, rules, the upstream client, pull statistics, and
 * (when started) the registry server. Opening it is cheap and safe while another process serves the same folder;
 * only {@link #startServer} takes the folder's serving lock.
 */
public final class Engine implements EngineApi, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Engine.class);
    /** How often configuration written by other processes (CLI, app) is looked for: the cheap signal file. */
    private static final long CONFIG_POLL_MILLIS = 500;
    /** How often the version itself is read even if the signal did not move (a writer that died before signalling). */
    private static final long CONFIG_VERSION_READ_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final long MAX_BLOB_BYTES = 64L * 1024 * 1024 * 1024;

    private final DataFolder folder;
    private final Database database;
    private final FileBlobStore blobs;
    private final MetadataStore index;
    private final RuleStore ruleStore;
    private final UpstreamStore upstreamStore;
    private final RuleService ruleService;
    private final SettingsStore settingsStore;
    private final PullEventRecorder recorder;
    private final PullStatistics statistics;
    private final DeferredUpstreamClient upstreamClient;
    private final Vault vault;
    private final CredentialService credentialService;
    private final PullThroughBackend backend;
    private final Repositories repositories;
    private final RuleImporter importer;
    private final RuleExporter exporter;
    private final AtomicReference<RuleSet> ruleSet = new AtomicReference<>();
    private final AtomicLong configVersion = new AtomicLong(-1);
    private final ScheduledExecutorService scheduler;
    private final List<Consumer<EngineStatus>> statusListeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> configListeners = new CopyOnWriteArrayList<>();
    private final Clock clock;
    /** Cache size bound, garbage collection, event pruning (engine-robustness); runs only while serving. */
    private final CacheJanitor janitor;

    private final Object serverLock = new Object();
    private RegistryServer server;
    private ServingLock servingLock;
    /** Set when the engine or the JVM is shutting down, so background work stops complaining about closed parts. */
    private volatile boolean closing;
    private volatile EngineStatus status = new EngineStatus(EngineStatus.State.STOPPED, null, null);

    private Engine(DataFolder folder, Clock clock, VaultOptions vaultOptions) {
        this.folder = folder.ensureCreated();
        this.clock = clock;
        this.database = Database.open(folder);
        try {
            this.blobs = new FileBlobStore(folder);
            this.index = new JdbcMetadataStore(database);
            this.ruleStore = new RuleStore(database);
            this.upstreamStore = new UpstreamStore(database);
            this.vault = new Vault(folder, vaultOptions);
            CredentialSetStore credentialSets = new CredentialSetStore(database);
            VaultCredentials vaultCredentials = new VaultCredentials(credentialSets, vault, clock);
            this.upstreamClient = new DeferredUpstreamClient(() -> new OkHttpUpstreamClient(vaultCredentials));
            this.credentialService = new CredentialService(database, credentialSets, ruleStore, upstreamStore, vault,
                    vaultCredentials, upstreamClient, clock);
            this.ruleService = new RuleService(database, ruleStore, upstreamStore, this::localRepositoryUnder, credentialService.lookup());
            this.settingsStore = new SettingsStore(database);
            this.recorder = new PullEventRecorder(database);
            recorder.onBatch(new PullCounts(index));
            this.statistics = new PullStatistics(database);
            reloadConfig();
            this.backend = new PullThroughBackend(ruleSet::get, blobs, index, upstreamClient, recorder::record, folder.root(),
                    MAX_BLOB_BYTES, clock);
            this.repositories = new Repositories(index, index, blobs, backend);
            CredentialSetTable credentialSetMetadata = new CredentialSetTable(database);
            this.importer = new RuleImporter(database, ruleStore, upstreamStore, credentialSetMetadata, this::localRepositoryUnder);
            this.exporter = new RuleExporter(ruleStore, upstreamStore, credentialSetMetadata);
            this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "engine-config-watch");
                t.setDaemon(true);
                return t;
            });
            scheduler.scheduleWithFixedDelay(this::pollConfig, CONFIG_POLL_MILLIS, CONFIG_POLL_MILLIS, TimeUnit.MILLISECONDS);
            // --- cache janitor hook (engine-robustness) ---
            this.janitor = new CacheJanitor(index, blobs, new dev.cachalot.storage.GarbageCollector(blobs, index),
                    statistics, () -> settingsStore.load().maxCacheBytes());
            recorder.onEvent(e -> {
                if (e.upstreamBytes() >= CacheJanitor.LARGE_FILL_BYTES) janitor.requestCheck();
            });
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    /** Opens the engine of {@code folder} (creating it), without serving. */
    public static Engine open(DataFolder folder) {
        return new Engine(folder, Clock.systemUTC(), VaultOptions.system());
    }

    /** Opens the engine with vault options of the caller's choosing (the CLI adds a passphrase prompt). */
    public static Engine open(DataFolder folder, VaultOptions vaultOptions) {
        return new Engine(folder, Clock.systemUTC(), vaultOptions);
    }

    /** Credential sets and vault secrets (the CLI's {@code credentials} and {@code secrets} commands). */
    public CredentialService credentialService() {
        return credentialService;
    }

    public DataFolder dataFolder() {
        return folder;
    }

    /**
     * Whether a plain local repository exists at {@code prefix} or under it. Repositories cached through rules don't
     * count: a static rule may sit inside a wildcard one, and a rule may take over what an earlier rule cached.
     */
    private boolean localRepositoryUnder(String prefix) {
        return index.anyRepositoryUnder(prefix, RepositoryKind.LOCAL);
    }

    // ------------------------------------------------------------------ configuration

    /**
     * Held by this engine's own changes until they are reloaded, and by the watcher while it compares versions, so the
     * watcher never takes this engine's change for another process's.
     */
    private final Object configLock = new Object();
    /** Only the watcher thread touches these two. */
    private long lastConfigSignal;
    private long lastConfigVersionRead = System.nanoTime();

    private void pollConfig() {
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
                if (changedElsewhere) reloadConfig();
            }
            if (changedElsewhere) announceConfigChange();
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

    private void reloadConfig() {
        long version = database.configVersion();
        RuleSet snapshot = ruleService.ruleSet();
        ruleSet.set(snapshot);
        configVersion.set(version);
        log.debug("Configuration version {} loaded: {} rules", version, snapshot.rules().size());
    }

    /** Only changes from other processes reach here (see {@link #configLock}). */
    private void announceConfigChange() {
        for (Runnable listener : configListeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                log.warn("A configuration listener failed: {}", e.toString());
            }
        }
    }

    @Override
    public AutoCloseable onConfigChanged(Runnable listener) {
        configListeners.add(listener);
        return () -> configListeners.remove(listener);
    }

    private <T> T changing(java.util.function.Supplier<T> change) {
        synchronized (configLock) {
            T result = change.get();
            reloadConfig();
            return result;
        }
    }

    // ------------------------------------------------------------------ server

    @Override
    public EngineStatus status() {
        return status;
    }

    @Override
    public AutoCloseable onStatus(Consumer<EngineStatus> listener) {
        statusListeners.add(listener);
        return () -> statusListeners.remove(listener);
    }

    private void setStatus(EngineStatus s) {
        status = s;
        for (Consumer<EngineStatus> l : statusListeners) {
            try {
                l.accept(s);
            } catch (RuntimeException e) {
                log.warn("Status listener failed", e);
            }
        }
    }

    @Override
    public void startServer(String listen) {
        ListenAddress address = ListenAddress.parse(listen == null ? settingsStore.load().listen() : listen);
        synchronized (serverLock) {
            stopServerLocked();
            setStatus(new EngineStatus(EngineStatus.State.STARTING, address.toString(), null));
            try {
                if (servingLock == null) {
                    servingLock = ServingLock.acquire(folder);
                    int swept = blobs.sweepTemp();
                    if (swept > 0) log.info("Removed {} unfinished download(s) left by an earlier run", swept);
                    janitor.start(); // one janitor per data folder: the serving process's
                }
                // Before the server: the client's build (OkHttp, the TLS trust store) runs on another core while the server
                // starts, so the first pull waits less for it. Fresh process with its CDS archive, 2 vCPUs: first cold blob
                // 84-134 -> 63-109 ms to the first byte, start to ready unchanged (~580 ms).
                upstreamClient.prepare();
                RegistryServer s = new RegistryServer(backend);
                s.start(address.host(), address.port());
                server = s;
                FileBlobStore.warmUpHashing();
                String bound = new ListenAddress(address.host(), s.port()).toString();
                setStatus(new EngineStatus(EngineStatus.State.RUNNING, bound, null));
                log.info("Cachalot registry serving on http://{} (data folder {})", bound, folder.root());
            } catch (Exception e) {
                String message = e.getMessage() == null ? e.toString() : e.getMessage();
                setStatus(new EngineStatus(EngineStatus.State.ERROR, address.toString(), message));
                throw new EngineException(message, e);
            }
        }
    }

    /** The port the server listens on (useful with port 0), or -1 when stopped. */
    public int port() {
        synchronized (serverLock) {
            return server == null ? -1 : server.port();
        }
    }

    @Override
    public void stopServer() {
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

    // ------------------------------------------------------------------ rules and upstreams

    @Override
    public List<CacheRule> rules() {
        return ruleStore.list();
    }

    @Override
    public List<String> checkRule(RuleDraft draft) {
        return ruleService.check(draft.name(), draft.sourceRepository(), draft.targetRepository(), draft.credentialSet(),
                freshnessOf(draft));
    }

    @Override
    public CacheRule createRule(RuleDraft draft) {
        return changing(() -> ruleService.create(draft.name(), draft.sourceRepository(), draft.targetRepository(),
                draft.credentialSet(), freshnessOf(draft)));
    }

    private FreshnessPolicy freshnessOf(RuleDraft draft) {
        String text = draft.freshness();
        return text == null || text.isBlank() ? FreshnessPolicy.parse(settingsStore.load().defaultFreshness()) : FreshnessPolicy.parse(text);
    }

    @Override
    public CacheRule setRuleCredentialSet(String ruleName, String credentialSetOrNull) {
        return changing(() -> ruleService.setCredentialSet(ruleName, credentialSetOrNull));
    }

    @Override
    public void deleteRule(String name) {
        changing(() -> {
            ruleService.delete(name);
            return null;
        });
    }

    @Override
    public List<Upstream> upstreams() {
        return ruleSet.get().catalog().all();
    }

    @Override
    public Upstream addUpstream(String loginServer, String endpoint, String caCertPemOrNull) {
        return changing(() -> ruleService.addUpstream(loginServer, endpoint, caCertPemOrNull));
    }

    @Override
    public void removeUpstream(String loginServer) {
        changing(() -> {
            if (!ruleService.removeUpstream(loginServer)) {
                throw new IllegalArgumentException("no custom upstream '" + loginServer + "'");
            }
            return null;
        });
    }

    @Override
    public ImportReport previewImport(List<Path> files, String format) {
        return importer.preview(files, format);
    }

    @Override
    public ImportReport importRules(List<Path> files, String format, boolean validOnly) {
        return changing(() -> importer.importRules(files, format, validOnly, ConflictPolicy.FAIL));
    }

    /** Imports with an explicit policy for rules whose name already exists (the CLI's {@code --on-conflict}). */
    public ImportReport importRules(List<Path> files, String format, boolean validOnly, ConflictPolicy onConflict) {
        return changing(() -> importer.importRules(files, format, validOnly, onConflict));
    }

    @Override
    public void exportRules(Path file, String format) {
        exporter.export(file, format);
    }

    /** The importer behind {@link #importRules}; the CLI drives it directly for dry runs and conflict policies. */
    public RuleImporter ruleImporter() {
        return importer;
    }

    public RuleExporter ruleExporter() {
        return exporter;
    }

    // ------------------------------------------------------------------ credential sets

    @Override
    public List<CredentialSetView> credentialSets() {
        return credentialService.list().stream().map(CredentialSetView::of).toList();
    }

    @Override
    public CredentialSetView createCredentialSet(String name, String loginServer, String username, char[] password) {
        return changing(() -> CredentialSetView.of(credentialService.createWithLogin(name, loginServer, username, password)));
    }

    @Override
    public CredentialSetView validateCredentialSet(String name) {
        return CredentialSetView.of(credentialService.validate(name));
    }

    @Override
    public void deleteCredentialSet(String name) {
        changing(() -> {
            credentialService.delete(name);
            return null;
        });
    }

    // ------------------------------------------------------------------ repositories

    @Override
    public List<RepositoryView> repositories() {
        return repositories.list();
    }

    @Override
    public List<TagView> tags(String repository) {
        return repositories.tags(repository);
    }

    @Override
    public Optional<ManifestView> manifest(String repository, String digest) {
        return repositories.manifest(repository, digest);
    }

    @Override
    public void deleteTag(String repository, String tag) {
        repositories.deleteTag(repository, tag);
    }

    @Override
    public void deleteRepository(String repository) {
        repositories.deleteRepository(repository);
    }

    @Override
    public void prefetch(String repository, String reference, Consumer<Long> bytesFetched) {
        repositories.prefetch(repository, reference, bytesFetched);
    }

    @Override
    public void prefetch(String repository, String reference, java.util.function.BiConsumer<Long, Long> bytesAndTotal) {
        repositories.prefetch(repository, reference, bytesAndTotal);
    }

    @Override
    public long cacheSizeBytes() {
        return index.cachedBytes();
    }

    // ------------------------------------------------------------------ statistics

    @Override
    public StatsTotals totals(Instant since) {
        return statistics.totals(since);
    }

    @Override
    public List<RepositoryStats> repositoryStats(Instant since) {
        return statistics.perRepository(since);
    }

    @Override
    public List<PullEvent> recentPulls(int limit) {
        return statistics.recent(limit);
    }

    @Override
    public List<TimeBucket> pullsOverTime(Instant since, Duration bucket) {
        return statistics.overTime(since, bucket);
    }

    @Override
    public AutoCloseable onPull(Consumer<PullEvent> listener) {
        return recorder.onEvent(listener);
    }

    /** The cache janitor (tests run its work directly). */
    CacheJanitor janitor() {
        return janitor;
    }

    /** Waits until every pull event so far is stored (tests, shutdown). */
    public void flushEvents() {
        recorder.flush();
    }

    // ------------------------------------------------------------------ settings

    @Override
    public EngineSettings settings() {
        return settingsStore.load();
    }

    @Override
    public void updateSettings(EngineSettings settings) {
        ListenAddress.parse(settings.listen());
        FreshnessPolicy.parse(settings.defaultFreshness());
        if (settings.maxCacheBytes() < 0) throw new IllegalArgumentException("maximum cache size cannot be negative");
        changing(() -> {
            settingsStore.save(settings);
            return null;
        });
    }

    @Override
    public void close() {
        closing = true;
        scheduler.shutdownNow();
        janitor.close();
        synchronized (serverLock) {
            stopServerLocked();
            if (servingLock != null) {
                servingLock.close();
                servingLock = null;
            }
        }
        backend.close();
        upstreamClient.close();
        recorder.close();
        database.close();
        setStatus(new EngineStatus(EngineStatus.State.STOPPED, null, null));
    }
}
