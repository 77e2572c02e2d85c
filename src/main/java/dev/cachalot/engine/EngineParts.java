package dev.cachalot.engine;

import dev.cachalot.bundle.BundleExporter;
import dev.cachalot.bundle.BundleImporter;
import dev.cachalot.credentials.CredentialService;
import dev.cachalot.credentials.CredentialSetStore;
import dev.cachalot.credentials.Vault;
import dev.cachalot.credentials.VaultCredentials;
import dev.cachalot.credentials.VaultOptions;
import dev.cachalot.metrics.EngineMetrics;
import dev.cachalot.proxy.DiskRoom;
import dev.cachalot.proxy.NameRouting;
import dev.cachalot.proxy.PullThroughBackend;
import dev.cachalot.rules.RuleService;
import dev.cachalot.rules.RuleStore;
import dev.cachalot.rules.UpstreamStore;
import dev.cachalot.rules.io.CredentialSetTable;
import dev.cachalot.rules.io.RuleExporter;
import dev.cachalot.rules.io.RuleImporter;
import dev.cachalot.stats.PullCounts;
import dev.cachalot.stats.PullEventRecorder;
import dev.cachalot.stats.PullStatistics;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.storage.Database;
import dev.cachalot.storage.FileBlobStore;
import dev.cachalot.storage.GarbageCollector;
import dev.cachalot.storage.JdbcMetadataStore;
import dev.cachalot.storage.MetadataStore;
import dev.cachalot.storage.RepositoryKind;
import dev.cachalot.upstream.DeferredUpstreamClient;
import dev.cachalot.upstream.OkHttpUpstreamClient;
import java.time.Clock;

/**
 * The wiring: every part of the engine of one data folder, built in dependency order, and closed in the reverse. The
 * only place that knows which implementation backs which part; {@link Engine} uses them, {@link ConfigWatcher} and
 * {@link ServerLifecycle} get the few they need.
 */
final class EngineParts implements AutoCloseable {
    private static final long MAX_BLOB_BYTES = 64L * 1024 * 1024 * 1024;

    final DataFolder folder;
    final Clock clock;
    final Database database;
    final FileBlobStore blobs;
    final MetadataStore index;
    final RuleStore ruleStore;
    final UpstreamStore upstreamStore;
    final Vault vault;
    final DeferredUpstreamClient upstreamClient;
    final CredentialService credentialService;
    final RuleService ruleService;
    final SettingsStore settingsStore;
    final PullEventRecorder recorder;
    final PullStatistics statistics;
    /** Loaded and current configuration; the backend asks it for the rule set on every request. */
    final ConfigWatcher config;
    final PullThroughBackend backend;
    final Repositories repositories;
    final RuleImporter importer;
    final RuleExporter exporter;
    /** Cache size bound, garbage collection, event pruning (engine-robustness); runs only while serving. */
    final CacheJanitor janitor;
    /** Prometheus metrics of this engine; {@code /metrics} on its listener. */
    final EngineMetrics metrics;
    /** Offline bundles: cached images out to an OCI layout tar, and such a tar into the cache. */
    final BundleExporter bundleExporter;
    final BundleImporter bundleImporter;

    EngineParts(DataFolder folder, Clock clock, VaultOptions vaultOptions) {
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
            this.config = new ConfigWatcher(database, ruleService::ruleSet,
                    new ConfigSignal(database.configSignalFile()));
            this.metrics = new EngineMetrics(this::downloadsInFlight, () -> this.index.cachedBytes());
            recorder.onEvent(metrics::pullRecorded);
            ObservedUpstreamClient observedUpstream = new ObservedUpstreamClient(upstreamClient,
                    (loginServer, kind) -> metrics.upstreamFailed(loginServer, kind.name()));
            this.backend = new PullThroughBackend(config::ruleSet, blobs, index, observedUpstream, recorder::record, folder.root(),
                    MAX_BLOB_BYTES, clock);
            this.repositories = new Repositories(index, index, blobs, backend);
            this.bundleExporter = new BundleExporter(index, index, blobs);
            NameRouting routing = new NameRouting(config::ruleSet, index);
            this.bundleImporter = new BundleImporter(name -> routing.forPull(name, null), index, blobs, new DiskRoom(folder.root()),
                    folder.tmp(), MAX_BLOB_BYTES, clock);
            CredentialSetTable credentialSetMetadata = new CredentialSetTable(database);
            this.importer = new RuleImporter(database, ruleStore, upstreamStore, credentialSetMetadata, this::localRepositoryUnder);
            this.exporter = new RuleExporter(ruleStore, upstreamStore, credentialSetMetadata);
            this.janitor = new CacheJanitor(index, blobs, new GarbageCollector(blobs, index),
                    statistics, () -> settingsStore.load().maxCacheBytes());
            janitor.onEvicted(metrics::evicted);
            recorder.onEvent(e -> {
                if (e.upstreamBytes() >= CacheJanitor.LARGE_FILL_BYTES) janitor.requestCheck();
            });
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    /** For the metrics, which exist before the backend they observe. */
    private long downloadsInFlight() {
        return backend == null ? 0 : backend.downloadsInFlight();
    }

    /**
     * Whether a plain local repository exists at {@code prefix} or under it. Repositories cached through rules don't
     * count: a static rule may sit inside a wildcard one, and a rule may take over what an earlier rule cached.
     */
    private boolean localRepositoryUnder(String prefix) {
        return index.anyRepositoryUnder(prefix, RepositoryKind.LOCAL);
    }

    /** Closes what the parts hold open; the watcher, the janitor and the server are stopped before this. */
    @Override
    public void close() {
        backend.close();
        upstreamClient.close();
        recorder.close();
        database.close();
    }
}
