package dev.cachalot.engine;

import dev.cachalot.oci.Digest;
import dev.cachalot.oci.DistributionException;
import dev.cachalot.oci.ManifestFacts;
import dev.cachalot.oci.RepositoryName;
import dev.cachalot.stats.PullStatistics;
import dev.cachalot.storage.BlobStore;
import dev.cachalot.storage.CacheEviction;
import dev.cachalot.storage.FillLeases;
import dev.cachalot.storage.GarbageCollector;
import dev.cachalot.storage.StoredManifest;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the cache within its size bound ({@link EngineSettings#maxCacheBytes()}, 0 = unbounded) and the data
 * folder tidy. Runs on its own thread, only in the process that serves the data folder:
 * <ul>
 *   <li>every minute, and soon after a large fill ({@link #requestCheck()}), when the cached bytes exceed the bound,
 *       evicts the least recently pulled manifests of cached repositories (never local ones) with their tags and
 *       the blob links only they needed, down to {@value #TARGET_PERCENT}% of the bound, then collects garbage;</li>
 *   <li>daily, collects garbage and prunes pull events past their retention.</li>
 * </ul>
 * Blob files go only through the {@link GarbageCollector}, whose grace period spares a blob just committed but not
 * linked yet; fills in flight write to {@code tmp/}, which garbage collection never touches. An evicted image that
 * is pulled again is simply fetched from its upstream again.
 */
final class CacheJanitor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CacheJanitor.class);
    static final int TARGET_PERCENT = 90;
    /** A fill at least this large asks for a check at once instead of waiting for the next minute. */
    static final long LARGE_FILL_BYTES = 16L * 1024 * 1024;
    private static final int BATCH = 50;

    /** What one enforcement did. */
    record Report(long bytesBefore, long bytesAfter, int manifestsEvicted, GarbageCollector.Result collected) {
    }

    private final CacheEviction index;
    private final BlobStore store;
    private final GarbageCollector collector;
    private final PullStatistics statistics;
    private final LongSupplier maxCacheBytes;
    private final java.time.Duration grace;
    private final java.time.Clock clock;
    private final AtomicBoolean checkPending = new AtomicBoolean();
    /** Told how many manifests each enforcement evicted (metrics). */
    private volatile java.util.function.LongConsumer evictions = n -> { };
    /** When files of evicted content that were too fresh for the last collection may go; null when nothing waits. */
    private java.time.Instant collectionDue;
    private final Object work = new Object();
    private ScheduledExecutorService scheduler;
    /** Engines on one shared database take turns at housekeeping; null for an engine alone. */
    private volatile FillLeases turns;

    /** This engine's housekeeping turn, held while it evicts or collects. */
    private interface Turn extends AutoCloseable {
        @Override
        void close();
    }

    CacheJanitor(CacheEviction index, BlobStore store, GarbageCollector collector, PullStatistics statistics,
                 LongSupplier maxCacheBytes) {
        this(index, store, collector, statistics, maxCacheBytes, GarbageCollector.DEFAULT_GRACE, java.time.Clock.systemUTC());
    }

    /** {@code grace}: the collector's grace period, after which evicted files too fresh to go at once are collected. */
    CacheJanitor(CacheEviction index, BlobStore store, GarbageCollector collector, PullStatistics statistics,
                 LongSupplier maxCacheBytes, java.time.Duration grace, java.time.Clock clock) {
        this.grace = grace;
        this.clock = clock;
        this.index = index;
        this.store = store;
        this.collector = collector;
        this.statistics = statistics;
        this.maxCacheBytes = maxCacheBytes;
    }

    /**
     * Evicts and collects only while this engine has the housekeeping turn of {@code leases}' database: engines sharing
     * it skip a round while another one does the work (it covers their blobs and metadata too).
     */
    void takeTurnsWith(FillLeases leases) {
        this.turns = leases;
    }

    /** The turn, or empty while another engine has it. */
    private Optional<Turn> turn() {
        FillLeases leases = turns;
        if (leases == null) return Optional.of(() -> {
        });
        return leases.tryHousekeeping().map(lease -> lease::close);
    }

    /** Starts the periodic work. Idempotent. */
    synchronized void start() {
        if (scheduler != null) return;
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cache-janitor");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(() -> quietly("enforce the cache size bound", this::minutely), 1, 1, TimeUnit.MINUTES);
        scheduler.scheduleWithFixedDelay(() -> quietly("daily housekeeping", this::dailyHousekeeping), 10, 24 * 60, TimeUnit.MINUTES);
        scheduler.scheduleWithFixedDelay(() -> quietly("delete old pull events", this::hourly), 60, 60, TimeUnit.MINUTES);
    }

    /** Asks for a bound check soon (after a large fill); several requests before it runs make one check. */
    void requestCheck() {
        ScheduledExecutorService s;
        synchronized (this) {
            s = scheduler;
        }
        if (s == null || !checkPending.compareAndSet(false, true)) return;
        try {
            s.execute(() -> {
                checkPending.set(false);
                quietly("enforce the cache size bound", this::enforceBound);
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            checkPending.set(false);
        }
    }

    /** {@code listener} hears the number of manifests evicted by each enforcement that evicted any. */
    void onEvicted(java.util.function.LongConsumer listener) {
        evictions = listener;
    }

    /**
     * Evicts least recently pulled cached content until the cache is at {@value #TARGET_PERCENT}% of its bound, if it
     * is over the bound, then collects garbage. Does nothing when the cache is unbounded or within its bound.
     */
    Report enforceBound() throws IOException {
        synchronized (work) {
            long bound = maxCacheBytes.getAsLong();
            long before = index.cachedBytes();
            if (bound <= 0 || before <= bound) {
                return new Report(before, before, 0, null);
            }
            Optional<Turn> turn = turn();
            if (turn.isEmpty()) {
                log.debug("Another node is doing housekeeping: the cache bound is enforced there");
                return new Report(before, before, 0, null);
            }
            try (Turn held = turn.get()) {
                return enforce(before, bound);
            }
        }
    }

    /** Evicts and collects: the caller holds the housekeeping turn. */
    private Report enforce(long before, long bound) throws IOException {
        long target = bound / 100 * TARGET_PERCENT + bound % 100 * TARGET_PERCENT / 100;
        long used = before;
        int evicted = 0;
        while (used > target) {
            List<StoredManifest> oldest = index.leastRecentlyPulled(BATCH);
            if (oldest.isEmpty()) break;
            for (StoredManifest m : oldest) {
                evict(m);
                evicted++;
                used = index.cachedBytes();
                if (used <= target) break;
            }
        }
        if (evicted > 0) evictions.accept(evicted);
        GarbageCollector.Result collected = collector.collect();
        // Files committed within the grace period outlived this collection; collect again once it has passed.
        collectionDue = clock.instant().plus(grace).plusSeconds(60);
        log.info("Cache was {} bytes, over its bound of {}: evicted {} manifest(s), now {} bytes; {} blob file(s) deleted",
                before, bound, evicted, used, collected.deleted());
        return new Report(before, used, evicted, collected);
    }

    /** Every minute: the bound, and the collection of evicted files that were too fresh for the last one. */
    void minutely() throws IOException {
        enforceBound();
        synchronized (work) {
            if (collectionDue != null && !clock.instant().isBefore(collectionDue)) {
                Optional<Turn> turn = turn();
                if (turn.isEmpty()) return; // another node collects; this one tries again next minute
                try (Turn held = turn.get()) {
                    collectionDue = null;
                    collector.collect();
                }
            }
        }
    }

    /**
     * A collection at once, on request (the CLI's {@code gc}); a {@code dryRun} deletes nothing. Empty while another
     * engine of the shared database has the housekeeping turn.
     */
    Optional<GarbageCollector.Result> collectNow(boolean dryRun) throws IOException {
        synchronized (work) {
            Optional<Turn> turn = turn();
            if (turn.isEmpty()) return Optional.empty();
            try (Turn held = turn.get()) {
                return Optional.of(collector.collect(dryRun));
            }
        }
    }

    /** The collector's grace period. */
    java.time.Duration grace() {
        return grace;
    }

    /**
     * Hourly: deletes the raw pull events the statistics no longer read (before their horizon, which the pull event
     * writer moves as events come; decision 0041). Once for the cluster, by the node with the turn.
     */
    void hourly() {
        synchronized (work) {
            Optional<Turn> turn = turn();
            if (turn.isEmpty()) return;
            try (Turn held = turn.get()) {
                long deleted = statistics.deletePastHorizon();
                if (deleted > 0) log.info("Deleted {} pull event(s) past the statistics' horizon", deleted);
            }
        }
    }

    /** Daily: garbage collection and pruning of old pull events. */
    void dailyHousekeeping() throws IOException {
        synchronized (work) {
            Optional<Turn> turn = turn();
            if (turn.isEmpty()) return; // another node is at it, for the whole cluster
            try (Turn held = turn.get()) {
                collector.collect();
            }
            long pruned = statistics.pruneExpired();
            if (pruned > 0) log.info("Pruned {} pull event(s) older than {} or past their bound", pruned, PullStatistics.RETENTION);
        }
    }

    /** Forgets one manifest, unlinking the blobs no other manifest of its repository refers to. */
    private void evict(StoredManifest victim) {
        RepositoryName repository = victim.repository();
        Set<Digest> unlink = blobsOf(victim);
        for (StoredManifest other : index.manifests(repository)) {
            if (!other.digest().equals(victim.digest())) {
                unlink.removeAll(blobsOf(other));
            }
        }
        index.evictManifest(repository, victim.digest(), unlink);
        log.debug("Evicted {}@{} ({} blob link(s))", repository, victim.digest(), unlink.size());
    }

    private Set<Digest> blobsOf(StoredManifest manifest) {
        Set<Digest> blobs = new HashSet<>();
        try {
            store.read(manifest.digest()).ifPresent(body -> ManifestFacts.parse(body, manifest.mediaType()).blobs()
                    .forEach(d -> blobs.add(d.digest())));
        } catch (IOException | DistributionException e) {
            log.debug("Cannot read manifest {} to find its blobs: {}", manifest.digest(), e.getMessage());
        }
        return blobs;
    }

    private interface Work {
        void run() throws Exception;
    }

    private static void quietly(String what, Work task) {
        try {
            task.run();
        } catch (Exception e) {
            log.warn("Could not {}: {}", what, e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }
}
