package dev.cachalot.sync;

import dev.cachalot.proxy.CacheFiller;
import dev.cachalot.rules.CacheRule;
import dev.cachalot.rules.RuleSet;
import dev.cachalot.storage.Database;
import dev.cachalot.storage.RepositoryCatalog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The active sync of an engine's rules: runs on request and on each active rule's schedule, at most one per rule at a
 * time (across engines sharing a database, through {@link SyncTurns}), each cancellable, each recorded as the rule's
 * last run. The rules are read through the engine's configuration on every call, so a
 * policy changed by {@code rules update} is the one the next run uses.
 */
public final class RuleSyncs implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RuleSyncs.class);
    /**
     * Runs going on at once in the background (scheduled and started ones), each fetching one blob at a time: what
     * keeps syncs from taking the upstream link and the disk away from pulls. A {@code syncRule} caller's own run is
     * on its thread and not counted.
     */
    static final int MAX_BACKGROUND_RUNS = Integer.getInteger("cachalot.sync.maxConcurrentRuns", 2);
    /**
     * How often the scheduler looks for due rules; a rule's interval is at least a minute. A property only so that a
     * test of the whole process need not wait half a minute past a run's due time.
     */
    private static final long TICK_SECONDS = Math.max(1, Long.getLong("cachalot.sync.schedulerTickSeconds", 30));

    private final Supplier<RuleSet> rules;
    private final CacheFiller filler;
    private final RepositoryCatalog catalog;
    private final SyncRunStore runs;
    private final UpstreamPace pace;
    private final SyncTurns turns;
    private final SyncBandwidth bandwidth = new SyncBandwidth(SyncBandwidth.DEFAULT_BYTES_PER_SECOND);
    private final Clock clock;
    /** This process, as recorded beside its runs while they go on. */
    private final String self = RunOwner.current().text();
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    /** The last whole report of each rule's real runs in this engine (the portal's "what changed"). */
    private final Map<String, SyncReport> lastReports = new ConcurrentHashMap<>();
    private final AtomicInteger background = new AtomicInteger();
    /** Told the upstream bytes of each finished run (the engine asks its janitor to check the cache's size bound). */
    private volatile java.util.function.LongConsumer fetchedBytes = bytes -> { };
    private ExecutorService runners;
    private ScheduledExecutorService ticker;
    private boolean closed;

    /** A run under way (or queued to start) in this engine. */
    private static final class Running {
        final AtomicBoolean cancel = new AtomicBoolean();
        volatile SyncProgress progress;

        Running(String ruleName) {
            this.progress = new SyncProgress(ruleName, null, null, 0, 0, 0);
        }
    }

    public RuleSyncs(Database database, Supplier<RuleSet> rules, CacheFiller filler, RepositoryCatalog catalog, SyncTurns turns,
                     UpstreamPace pace, Clock clock) {
        this.rules = rules;
        this.filler = filler;
        this.catalog = catalog;
        this.runs = new SyncRunStore(database);
        this.turns = turns;
        this.pace = pace;
        this.clock = clock;
    }

    /**
     * Syncs a rule now, on the calling thread. A real run is recorded as the rule's last run; a dry run is not, and may
     * go on beside a real one. Interrupting the calling thread, or {@link #cancel}, stops it between steps.
     *
     * @throws IllegalArgumentException when there is no such rule
     * @throws IllegalStateException    when a run of the rule is going on already (in this engine or another one)
     */
    public SyncReport run(String ruleName, SyncRequest request, Consumer<SyncProgress> progress) {
        CacheRule rule = rule(ruleName);
        if (request.dryRun()) {
            return new SyncRun(rule, request, filler, catalog, pace, bandwidth, progress, () -> false, clock).run();
        }
        Running mine = new Running(rule.name());
        if (running.putIfAbsent(rule.name(), mine) != null) {
            throw new IllegalStateException("a sync of rule '" + rule.name() + "' is running already");
        }
        try {
            SyncTurns.Turn turn = turns.tryTurn(rule.name()).orElseThrow(() -> new IllegalStateException(
                    "a sync of rule '" + rule.name() + "' is running on another engine"));
            try (turn) {
                return execute(rule, request, mine, progress);
            }
        } finally {
            running.remove(rule.name(), mine);
        }
    }

    /**
     * Starts a run of the rule in the background (the portal's Sync now) and returns; its progress is in
     * {@link #statuses()}, its end in the rule's last run.
     *
     * @return false when a run of the rule is going on already (in this engine or another one)
     * @throws IllegalArgumentException when there is no such rule, or for a dry run (whose report only a caller can take)
     */
    public boolean start(String ruleName, SyncRequest request) {
        CacheRule rule = rule(ruleName);
        if (request.dryRun()) throw new IllegalArgumentException("a dry run reports to its caller: run it with syncRule");
        return startRun(rule, request, false);
    }

    /** Reserves the rule here and its turn, then queues the run. False when either is taken (or, if asked, not due now). */
    private boolean startRun(CacheRule rule, SyncRequest request, boolean onlyIfDue) {
        Running mine = new Running(rule.name());
        if (running.putIfAbsent(rule.name(), mine) != null) return false;
        Optional<SyncTurns.Turn> turn;
        try {
            turn = turns.tryTurn(rule.name());
        } catch (RuntimeException e) {
            running.remove(rule.name(), mine);
            throw e;
        }
        // Due once more now that the turn is held: another engine may have run it between the look and the turn.
        if (turn.isEmpty() || onlyIfDue && !isDue(rule, lastRuns().get(rule.name()))) {
            turn.ifPresent(SyncTurns.Turn::close);
            running.remove(rule.name(), mine);
            return false;
        }
        background.incrementAndGet();
        try {
            runners().execute(() -> {
                try (SyncTurns.Turn held = turn.get()) {
                    execute(rule, request, mine, p -> { });
                } catch (RuntimeException e) {
                    log.warn("Sync of rule {} failed: {}", rule.name(), e.getMessage());
                } finally {
                    running.remove(rule.name(), mine);
                    background.decrementAndGet();
                }
            });
        } catch (RejectedExecutionException e) {
            turn.get().close();
            running.remove(rule.name(), mine);
            background.decrementAndGet();
            return false;
        }
        return true;
    }

    private SyncReport execute(CacheRule rule, SyncRequest request, Running mine, Consumer<SyncProgress> progress) {
        Instant started = clock.instant();
        try {
            runs.started(rule.name(), started, self);
            SyncReport report = new SyncRun(rule, request, filler, catalog, pace, bandwidth, p -> {
                mine.progress = p;
                progress.accept(p);
            }, mine.cancel::get, clock).run();
            SyncStatus.Outcome outcome = report.cancelled() ? SyncStatus.Outcome.CANCELLED
                    : report.complete() ? SyncStatus.Outcome.SUCCEEDED : SyncStatus.Outcome.FAILED;
            runs.finished(rule.name(), started, report.finishedAt(), outcome, report.summary(), self);
            log.info("Sync of rule {}: {}", rule.name(), report.summary());
            lastReports.put(rule.name(), report);
            if (report.bytes() > 0) fetchedBytes.accept(report.bytes());
            return report;
        } catch (RuntimeException e) {
            try {
                runs.finished(rule.name(), started, clock.instant(), SyncStatus.Outcome.FAILED, String.valueOf(e.getMessage()), self);
            } catch (RuntimeException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
    }

    /** Hears the upstream bytes of each finished run that fetched any (synced content is cached content: bounded alike). */
    public void onFetched(java.util.function.LongConsumer listener) {
        this.fetchedBytes = listener;
    }

    /**
     * The report of the rule's last real run in this engine (every tag and what became of it, the errors, the waits);
     * empty when it has not run here since the engine started (another engine's or an earlier run shows in
     * {@link #statuses()} as a summary).
     */
    public Optional<SyncReport> lastReport(String ruleName) {
        return Optional.ofNullable(lastReports.get(ruleName));
    }

    /** Asks the rule's run in this engine to stop. @return false when none is running here */
    public boolean cancel(String ruleName) {
        Running r = running.get(ruleName);
        if (r == null) return false;
        r.cancel.set(true);
        return true;
    }

    /** Each rule's sync status, by rule name, in the rules' order. */
    public Map<String, SyncStatus> statuses() {
        Map<String, SyncRunStore.LastRun> last = lastRuns();
        Map<String, SyncStatus> statuses = new LinkedHashMap<>();
        for (CacheRule rule : rules.get().rules()) {
            SyncRunStore.LastRun run = last.get(rule.name());
            Running here = running.get(rule.name());
            statuses.put(rule.name(), new SyncStatus(rule.name(), rule.sync().isActive(),
                    run == null ? null : run.startedAt(), run == null ? null : run.finishedAt(),
                    run == null ? null : run.outcome(), run == null ? null : run.summary(), nextRun(rule, run),
                    here == null ? null : here.progress));
        }
        return statuses;
    }

    /**
     * Every rule's last run, a RUNNING one that no living engine carries on any more recorded as
     * {@link SyncStatus.Outcome#INTERRUPTED} first: a process killed mid-run (or a machine that lost power) never
     * records its end, and its run would otherwise show as going on for ever. A run of this engine is taken as it is;
     * another's is gone when its turn is free (engines sharing a database) or its process has exited (an engine alone,
     * and the CLI processes on its data folder). A run that ended (or began) between the look and the record is left as
     * it is: the record applies only to the row as it was seen.
     */
    private Map<String, SyncRunStore.LastRun> lastRuns() {
        Map<String, SyncRunStore.LastRun> last = runs.all();
        boolean changed = false;
        for (SyncRunStore.LastRun run : last.values()) {
            if (run.outcome() != SyncStatus.Outcome.RUNNING || running.containsKey(run.ruleName())) continue;
            if (turns.isHeld(run.ruleName(), run.runBy())) continue;
            String summary = "the engine running it stopped during the run"
                    + RunOwner.parse(run.runBy()).map(o -> " (pid " + o.pid() + ")").orElse("");
            if (runs.interrupted(run, summary)) {
                log.warn("Sync of rule {} started {} was interrupted: {}", run.ruleName(), run.startedAt(), summary);
            }
            changed = true; // recorded here, or the run ended (or another began) since the look: read again either way
        }
        return changed ? runs.all() : last;
    }

    /** When the scheduler runs an active rule next: an interval after its last start; at once when it never ran. */
    Instant nextRun(CacheRule rule, SyncRunStore.LastRun last) {
        if (!rule.sync().isActive()) return null;
        if (last == null) return clock.instant();
        return last.startedAt().plus(rule.sync().interval());
    }

    private boolean isDue(CacheRule rule, SyncRunStore.LastRun last) {
        Instant next = nextRun(rule, last);
        return next != null && !next.isAfter(clock.instant());
    }

    /**
     * The scheduler's look (every 30 seconds unless configured once {@link #startScheduler} ran; tests call it): starts
     * the background run of each active rule that is due, not running, and whose turn this engine gets, while fewer
     * than {@link #MAX_BACKGROUND_RUNS} run. The rules and their last runs are read afresh, so a policy changed by
     * {@code rules update} anywhere is used at once.
     *
     * @return the rules started
     */
    public List<String> startDueRuns() {
        Map<String, SyncRunStore.LastRun> last = lastRuns();
        List<String> started = new ArrayList<>();
        for (CacheRule rule : rules.get().rules()) {
            if (background.get() >= MAX_BACKGROUND_RUNS) break;
            if (!isDue(rule, last.get(rule.name())) || running.containsKey(rule.name())) continue;
            if (startRun(rule, SyncRequest.ALL, true)) started.add(rule.name());
        }
        return started;
    }

    /** Waits until the background runs started so far have ended (tests; shutdown). @return false on timeout */
    public boolean awaitBackgroundRuns(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (background.get() > 0) {
            if (System.nanoTime() > deadline) return false;
            Thread.sleep(20);
        }
        return true;
    }

    /** Runs active rules on their schedule from now on (the serving engine's; one per data folder). Idempotent. */
    public synchronized void startScheduler() {
        if (ticker != null || closed) return;
        try {
            lastRuns(); // a run this data folder's engine left when it died shows as such from the start
        } catch (RuntimeException e) {
            log.warn("Sync: could not look for runs left by an engine that stopped: {}", e.getMessage());
        }
        ticker = Executors.newSingleThreadScheduledExecutor(daemon("cachalot-sync-scheduler"));
        ticker.scheduleWithFixedDelay(() -> {
            try {
                startDueRuns();
            } catch (RuntimeException e) {
                log.warn("Sync scheduler: could not look for due rules: {}", e.getMessage());
            }
        }, Math.min(5, TICK_SECONDS), TICK_SECONDS, TimeUnit.SECONDS);
    }

    private synchronized ExecutorService runners() {
        if (closed) throw new RejectedExecutionException("closed");
        if (runners == null) {
            runners = Executors.newFixedThreadPool(MAX_BACKGROUND_RUNS, daemon("cachalot-sync"));
        }
        return runners;
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private CacheRule rule(String name) {
        return rules.get().rules().stream().filter(r -> r.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no cache rule named '" + name + "'"));
    }

    /** Stops the scheduler and asks every run to stop; background runs get a few seconds to record themselves. */
    @Override
    public void close() {
        ExecutorService r;
        synchronized (this) {
            closed = true;
            if (ticker != null) ticker.shutdownNow();
            r = runners;
        }
        running.values().forEach(run -> run.cancel.set(true));
        if (r != null) {
            r.shutdown();
            try {
                r.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
