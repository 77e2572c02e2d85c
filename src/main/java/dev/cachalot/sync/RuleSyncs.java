package dev.cachalot.sync;

import dev.cachalot.proxy.CacheFiller;
import dev.cachalot.rules.CacheRule;
import dev.cachalot.rules.RuleSet;
import dev.cachalot.storage.Database;
import dev.cachalot.storage.RepositoryCatalog;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The active sync of an engine's rules: runs on request, at most one per rule at a time in this engine, each cancellable,
 * each recorded as the rule's last run. The rules are read through the engine's configuration on every call, so a
 * policy changed by {@code rules update} is the one the next run uses.
 */
public final class RuleSyncs implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RuleSyncs.class);

    private final Supplier<RuleSet> rules;
    private final CacheFiller filler;
    private final RepositoryCatalog catalog;
    private final SyncRunStore runs;
    private final UpstreamPace pace;
    private final Clock clock;
    private final Map<String, Running> running = new ConcurrentHashMap<>();

    /** A run under way in this engine. */
    private static final class Running {
        final AtomicBoolean cancel = new AtomicBoolean();
        volatile SyncProgress progress;

        Running(String ruleName) {
            this.progress = new SyncProgress(ruleName, null, null, 0, 0, 0);
        }
    }

    public RuleSyncs(Database database, Supplier<RuleSet> rules, CacheFiller filler, RepositoryCatalog catalog, Clock clock) {
        this.rules = rules;
        this.filler = filler;
        this.catalog = catalog;
        this.runs = new SyncRunStore(database);
        this.pace = UpstreamPace.NONE;
        this.clock = clock;
    }

    /**
     * Syncs a rule now, on the calling thread. A real run is recorded as the rule's last run; a dry run is not, and may
     * go on beside a real one. Interrupting the calling thread, or {@link #cancel}, stops it between steps.
     *
     * @throws IllegalArgumentException when there is no such rule
     * @throws IllegalStateException    when a run of the rule is going on in this engine already
     */
    public SyncReport run(String ruleName, SyncRequest request, Consumer<SyncProgress> progress) {
        CacheRule rule = rule(ruleName);
        if (request.dryRun()) {
            return new SyncRun(rule, request, filler, catalog, pace, progress, () -> false, clock).run();
        }
        Running mine = new Running(rule.name());
        if (running.putIfAbsent(rule.name(), mine) != null) {
            throw new IllegalStateException("a sync of rule '" + rule.name() + "' is running already");
        }
        Instant started = clock.instant();
        try {
            runs.started(rule.name(), started);
            SyncReport report = new SyncRun(rule, request, filler, catalog, pace, p -> {
                mine.progress = p;
                progress.accept(p);
            }, mine.cancel::get, clock).run();
            SyncStatus.Outcome outcome = report.cancelled() ? SyncStatus.Outcome.CANCELLED
                    : report.complete() ? SyncStatus.Outcome.SUCCEEDED : SyncStatus.Outcome.FAILED;
            runs.finished(rule.name(), started, report.finishedAt(), outcome, report.summary());
            log.info("Sync of rule {}: {}", rule.name(), report.summary());
            return report;
        } catch (RuntimeException e) {
            try {
                runs.finished(rule.name(), started, clock.instant(), SyncStatus.Outcome.FAILED, String.valueOf(e.getMessage()));
            } catch (RuntimeException again) {
                e.addSuppressed(again);
            }
            throw e;
        } finally {
            running.remove(rule.name(), mine);
        }
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
        Map<String, SyncRunStore.LastRun> last = runs.all();
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

    /** When the scheduler runs an active rule next: an interval after its last start; at once when it never ran. */
    Instant nextRun(CacheRule rule, SyncRunStore.LastRun last) {
        if (!rule.sync().isActive()) return null;
        if (last == null) return clock.instant();
        return last.startedAt().plus(rule.sync().interval());
    }

    private CacheRule rule(String name) {
        return rules.get().rules().stream().filter(r -> r.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no cache rule named '" + name + "'"));
    }

    @Override
    public void close() {
        running.values().forEach(r -> r.cancel.set(true));
    }
}
