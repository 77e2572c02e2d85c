package dev.cachalot.engine;

import dev.cachalot.bundle.BundleExporter;
import dev.cachalot.bundle.BundleImporter;
import dev.cachalot.credentials.CredentialService;
import dev.cachalot.credentials.CredentialSetStore;
import dev.cachalot.credentials.Vault;
import dev.cachalot.credentials.VaultCredentials;
import dev.cachalot.credentials.VaultOptions;
import dev.cachalot.metrics.EngineMetrics;
import dev.cachalot.proxy.ClusterFillLease;
import dev.cachalot.proxy.DiskRoom;
import dev.cachalot.proxy.NameRouting;
import dev.cachalot.proxy.PullThroughBackend;
import dev.cachalot.rules.RuleService;
import dev.cachalot.rules.RuleStore;
import dev.cachalot.rules.UpstreamStore;
import dev.cachalot.rules.io.CredentialSetTable;
import dev.cachalot.rules.io.RuleExporter;
import dev.cachalot.rules.io.RuleImporter;
import dev.cachalot.security.Accounts;
import dev.cachalot.security.JdbcUserStore;
import dev.cachalot.security.UserStore;
import dev.cachalot.stats.PullEventRecorder;
import dev.cachalot.stats.PullStatistics;
import dev.cachalot.storage.BlobHousekeeping;
import dev.cachalot.storage.BlobReads;
import dev.cachalot.storage.BlobStore;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.storage.Database;
import dev.cachalot.storage.FileBlobStore;
import dev.cachalot.storage.FillLeases;
import dev.cachalot.storage.GarbageCollector;
import dev.cachalot.storage.JdbcMetadataStore;
import dev.cachalot.storage.PostgresSettings;
import dev.cachalot.storage.RepositoryKind;
import dev.cachalot.storage.S3BlobStore;
import dev.cachalot.storage.S3Settings;
import dev.cachalot.sync.RateLimitPace;
import dev.cachalot.sync.RuleSyncs;
import dev.cachalot.sync.SyncTurns;
import dev.cachalot.upstream.DeferredUpstreamClient;
import dev.cachalot.upstream.OkHttpUpstreamClient;
import dev.cachalot.upstream.RateLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The wiring: every part of the engine of one data folder, built in dependency order, and closed in the reverse. The
 * only place that knows which implementation backs which part; {@link Engine} uses them, {@link ConfigWatcher} and
 * {@link ServerLifecycle} get the few they need.
 */
final class EngineParts implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EngineParts.class);
    private static final long MAX_BLOB_BYTES = 64L * 1024 * 1024 * 1024;

    final DataFolder folder;
    final Clock clock;
    final Database database;
    /** One download per blob across the engines of a shared database; null for an engine alone. */
    final FillLeases fillLeases;
    /** The blobs this engine serves now, which no engine's garbage collection deletes meanwhile. */
    final BlobReads blobReads;
    final BlobStore blobs;
    /** The same store as {@link #blobs}, for upkeep: listing and deleting (garbage collection), sweeping temp files. */
    final BlobHousekeeping blobHousekeeping;
    final JdbcMetadataStore index;
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
    /** Users and access tokens of server mode. */
    final UserStore users;
    /** Prometheus metrics of this engine; {@code /metrics} on its listener. */
    final EngineMetrics metrics;
    /** Offline bundles: cached images out to an OCI layout tar, and such a tar into the cache. */
    final BundleExporter bundleExporter;
    final BundleImporter bundleImporter;
    /** Active sync of rules, through the pull path. */
    final RuleSyncs syncs;

    /**
     * @param sharedDatabase the PostgreSQL database this engine shares with others, or null for the data folder's
     *                       embedded H2 database
     * @param s3Storage      null: blobs in the data folder; otherwise in that bucket, with the data folder as a cache
     * @param garbageGrace   how long a committed blob is safe from garbage collection, referenced or not
     */
    EngineParts(DataFolder folder, Clock clock, VaultOptions vaultOptions, PostgresSettings sharedDatabase,
                S3Settings s3Storage, java.time.Duration garbageGrace) {
        this.folder = folder.ensureCreated();
        this.clock = clock;
        this.database = sharedDatabase == null ? Database.open(folder) : Database.openShared(sharedDatabase);
        S3BlobStore bucket = null;
        this.fillLeases = database.isShared() ? new FillLeases(database) : null;
        // Only other engines' collectors need a read written to the database; an engine alone keeps its reads in memory
        // (a database write per blob GET saved), and refuses a collection from another process while it serves.
        this.blobReads = database.isShared() ? BlobReads.shared(database) : BlobReads.inThisProcess();
        try {
            if (s3Storage == null) {
                FileBlobStore files = new FileBlobStore(folder);
                this.blobs = files;
                this.blobHousekeeping = files;
            } else {
                bucket = openBucket(s3Storage, folder, blobReads);
                this.blobs = bucket;
                this.blobHousekeeping = bucket;
            }
            this.index = new JdbcMetadataStore(database);
            this.ruleStore = new RuleStore(database);
            this.upstreamStore = new UpstreamStore(database);
            this.vault = new Vault(folder, vaultOptions);
            CredentialSetStore credentialSets = new CredentialSetStore(database);
            VaultCredentials vaultCredentials = new VaultCredentials(credentialSets, vault, clock);
            RateLimits rateLimits = new RateLimits(clock);
            this.upstreamClient = new DeferredUpstreamClient(() -> new OkHttpUpstreamClient(vaultCredentials, rateLimits));
            this.credentialService = new CredentialService(database, credentialSets, ruleStore, upstreamStore, vault,
                    vaultCredentials, upstreamClient, clock);
            this.ruleService = new RuleService(database, ruleStore, upstreamStore, this::localRepositoryUnder, credentialService.lookup());
            this.settingsStore = new SettingsStore(database);
            this.recorder = new PullEventRecorder(database);
            this.statistics = new PullStatistics(database);
            this.users = new JdbcUserStore(database);
            this.config = new ConfigWatcher(database, ruleService::ruleSet, () -> Accounts.load(users), database.isShared()
                    ? new SharedDatabaseSignal(database)
                    : new ConfigSignal(database.configSignalFile()));
            this.metrics = new EngineMetrics(this::downloadsInFlight, () -> this.index.cachedBytes());
            recorder.onEvent(metrics::pullRecorded);
            metrics.countLostPullEvents(recorder::dropped, recorder::failed);
            ObservedUpstreamClient observedUpstream = new ObservedUpstreamClient(upstreamClient,
                    (loginServer, kind) -> metrics.upstreamFailed(loginServer, kind.name()));
            this.backend = new PullThroughBackend(config::ruleSet, blobs, index, observedUpstream, recorder::record, folder.root(),
                    MAX_BLOB_BYTES, clock, fillLeases == null ? ClusterFillLease.SINGLE_NODE : digest -> fillLeases.tryAcquire(digest).map(lease -> lease::close),
                    blobReads);
            this.repositories = new Repositories(index, index, blobs, backend);
            this.bundleExporter = new BundleExporter(index, index, blobs);
            NameRouting routing = new NameRouting(config::ruleSet, index);
            this.bundleImporter = new BundleImporter(name -> routing.forPull(name, null), index, blobs, new DiskRoom(folder.root()),
                    folder.tmp(), MAX_BLOB_BYTES, clock);
            this.syncs = new RuleSyncs(database, config::ruleSet, backend.filler(), index, fillLeases == null ? SyncTurns.SINGLE_NODE
                    : SyncTurns.shared(rule -> fillLeases.tryRuleSync(rule).map(lease -> lease::close), fillLeases::isRuleSyncTaken),
                    new RateLimitPace(rateLimits, clock), clock);
            CredentialSetTable credentialSetMetadata = new CredentialSetTable(database);
            this.importer = new RuleImporter(database, ruleStore, upstreamStore, credentialSetMetadata, this::localRepositoryUnder);
            this.exporter = new RuleExporter(ruleStore, upstreamStore, credentialSetMetadata);
            GarbageCollector collector = new GarbageCollector(blobHousekeeping, index, garbageGrace, Clock.systemUTC()).sparing(blobReads);
            this.janitor = new CacheJanitor(index, blobs, fillLeases == null ? collector : collector.guardedBy(fillLeases),
                    statistics, () -> settingsStore.load().maxCacheBytes(), garbageGrace, Clock.systemUTC());
            if (fillLeases != null) janitor.takeTurnsWith(fillLeases);
            janitor.onEvicted(metrics::evicted);
            recorder.onEvent(e -> {
                if (e.upstreamBytes() >= CacheJanitor.LARGE_FILL_BYTES) janitor.requestCheck();
            });
            syncs.onFetched(bytes -> {
                if (bytes >= CacheJanitor.LARGE_FILL_BYTES) janitor.requestCheck();
            });
        } catch (RuntimeException e) {
            if (bucket != null) bucket.close();
            if (fillLeases != null) fillLeases.close();
            blobReads.close();
            database.close();
            throw e;
        }
    }

    private static S3BlobStore openBucket(S3Settings settings, DataFolder folder, BlobReads reads) {
        S3BlobStore bucket = new S3BlobStore(settings, folder);
        bucket.keepLocalCopiesOf(reads::isReadHere);
        try {
            bucket.checkReachable();
        } catch (IOException e) {
            bucket.close();
            throw new UncheckedIOException(e.getMessage(), e);
        }
        log.info("Blobs are stored in bucket {} at {} under '{}' (this data folder keeps copies)", settings.bucket(),
                settings.endpoint(), settings.prefix());
        return bucket;
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
        syncs.close();
        backend.close();
        // Gives this engine's fill leases to the others at once (a fill cut short by the close stored nothing).
        if (fillLeases != null) fillLeases.close();
        upstreamClient.close();
        recorder.close();
        // The revalidation stamps that wait in memory reach the database before it closes; losing them costs a HEAD each.
        try {
            index.close();
        } catch (RuntimeException e) {
            log.warn("Tag revalidation stamps not stored at close: {}", e.getMessage());
        }
        if (blobs instanceof S3BlobStore bucket) {
            bucket.close();
        }
        blobReads.close();
        database.close();
    }
}
