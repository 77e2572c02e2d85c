package dev.cachalot.app.rules;

import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.Async;
import dev.cachalot.app.common.Formats;
import dev.cachalot.app.common.Messages;
import dev.cachalot.engine.EngineApi;
import dev.cachalot.rules.CacheRule;
import dev.cachalot.rules.SyncDraft;
import dev.cachalot.rules.SyncPolicy;
import dev.cachalot.sync.SyncProgress;
import dev.cachalot.sync.SyncRequest;
import dev.cachalot.sync.SyncStatus;
import java.util.Map;
import java.util.function.Consumer;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.util.Duration;

/**
 * The sync of the rules on the Cache rules page (issue 19): each rule's sync in a word for the table, and for the selected
 * rule its policy, last and next run, Sync now with progress and Cancel, and the policy editor's save.
 *
 * <p>Progress is polled: while a run is visible (started here, or seen running in the last look) the statuses are read
 * once a second, and not at all otherwise. A remote engine answers the same call over its management API, so the portal
 * shows a run started by the CLI or the scheduler too, on its next look.
 */
public final class RuleSyncViewModel {
    /** Often enough for a progress bar a person watches; one small call to the engine each time. */
    static final Duration POLL = Duration.seconds(1);

    private final EngineApi engine;
    private final Async async;
    private volatile Map<String, SyncStatus> statuses = Map.of();
    private final ObjectProperty<CacheRule> selected = new SimpleObjectProperty<>();
    private final ReadOnlyStringWrapper policy = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper lastRun = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper nextRun = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper progressText = new ReadOnlyStringWrapper("");
    private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(0);
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper("");
    /** Counts the looks at the statuses: the table redraws its sync cells on each. */
    private final ReadOnlyIntegerWrapper looks = new ReadOnlyIntegerWrapper(0);
    /** Made on the first run seen: a view model that never sees one needs no FX toolkit (its tests run without one). */
    private Timeline poll;
    private boolean looking;
    /**
     * A run asked for here that the statuses may not show yet (the engine records its start on its own thread): keep
     * looking until a start later than {@link #startedAfter} shows and ends, for at most {@link #PATIENCE} looks.
     */
    private String startedHere;
    private java.time.Instant startedAfter;
    private int lookedFor;
    private static final int PATIENCE = 30;

    public RuleSyncViewModel(AppContext context) {
        this.engine = context.engine();
        this.async = context.async();
        selected.addListener((o, a, rule) -> {
            error.set("");
            show();
        });
    }

    /** Reads every rule's sync status now; starts or stops the once-a-second look as runs appear or end. */
    public void look() {
        if (looking) return;
        looking = true;
        async.run(engine::syncStatuses, loaded -> {
            looking = false;
            statuses = loaded;
            boolean anyRunning = loaded.values().stream().anyMatch(RuleSyncViewModel::isRunning);
            if (startedHere != null) {
                SyncStatus mine = loaded.get(startedHere);
                boolean seen = mine != null && mine.lastStartedAt() != null && !mine.lastStartedAt().equals(startedAfter);
                if (seen && !isRunning(mine) || mine == null || ++lookedFor > PATIENCE && !isRunning(mine)) startedHere = null;
            }
            if (anyRunning || startedHere != null) {
                if (poll == null) {
                    poll = new Timeline(new KeyFrame(POLL, e -> look()));
                    poll.setCycleCount(Timeline.INDEFINITE);
                }
                if (poll.getStatus() != Timeline.Status.RUNNING) poll.play();
            } else {
                stop();
            }
            looks.set(looks.get() + 1);
            show();
        }, e -> {
            looking = false;
            stop();
            error.set(Messages.human(e));
        });
    }

    /** The page is hidden: no more looks until it is shown again. */
    public void stop() {
        if (poll != null) poll.stop();
    }

    public void syncNow() {
        CacheRule rule = selected.get();
        if (rule == null) return;
        error.set("");
        async.run(() -> engine.startSync(rule.name(), SyncRequest.ALL), started -> {
            if (!started) {
                error.set("A sync of rule " + rule.name() + " is running already.");
            } else {
                SyncStatus before = statuses.get(rule.name());
                startedHere = rule.name();
                startedAfter = before == null ? null : before.lastStartedAt();
                lookedFor = 0;
                running.set(true);
                progressText.set("Starting…");
                progress.set(-1);
            }
            look();
        }, e -> error.set(Messages.human(e)));
    }

    public void cancel() {
        CacheRule rule = selected.get();
        if (rule == null) return;
        async.run(() -> engine.cancelSync(rule.name()), asked -> {
            if (asked) progressText.set("Stopping after the current step…");
            look();
        }, e -> error.set(Messages.human(e)));
    }

    /**
     * Saves the policy as typed; the engine checks it and its refusal goes to {@code refused} in its own words (the
     * dialog stays open to fix it).
     */
    public void savePolicy(CacheRule rule, SyncDraft draft, Consumer<CacheRule> saved, Consumer<String> refused) {
        async.run(() -> engine.updateRuleSync(rule.name(), draft), changed -> {
            if (rule.equals(selected.get())) selected.set(changed);
            saved.accept(changed);
            look();
        }, e -> refused.accept(Messages.human(e)));
    }

    // ---- what the table and the pane show

    /** The table's words: "passive" or "every 12h" (active), with the last outcome or the progress. */
    public String summary(CacheRule rule) {
        SyncStatus s = statuses.get(rule.name());
        String mode = rule.sync().isActive() ? "every " + SyncPolicy.intervalText(rule.sync().interval()) : "passive";
        if (s == null || s.lastOutcome() == null) return mode;
        if (isRunning(s)) {
            SyncProgress p = s.running();
            return mode + " · syncing" + (p == null ? "" : " " + p.tagsDone() + "/" + p.tagsSelected());
        }
        String when = s.lastFinishedAt() == null ? "" : " " + Formats.shortTime(s.lastFinishedAt());
        return mode + " · " + outcome(s.lastOutcome()) + when;
    }

    /** The table cell's tooltip: the policy in full and the last run's summary. */
    public String detail(CacheRule rule) {
        SyncStatus s = statuses.get(rule.name());
        String text = policyText(rule);
        if (s != null && s.lastSummary() != null) text += "\nLast sync: " + s.lastSummary();
        if (s != null && s.nextRunAt() != null) text += "\nNext sync: " + Formats.time(s.nextRunAt());
        return text;
    }

    /** "Active every 6h: tags 3.*, platforms linux/amd64, repositories nginx,alpine" or "Passive: …". */
    static String policyText(CacheRule rule) {
        SyncPolicy p = rule.sync();
        if (!p.isActive()) return "Passive: only what clients pull is cached.";
        String text = "Active every " + SyncPolicy.intervalText(p.interval()) + ": tags " + p.tags().text() + ", platforms "
                + (p.platforms().text().isEmpty() ? "all" : p.platforms().text());
        if (rule.isWildcard()) {
            text += ", repositories " + (p.repositories().isEmpty() ? "those cached already" : String.join(",", p.repositories()));
        }
        if (p.referrers()) text += ", with referrers";
        return text + ".";
    }

    private void show() {
        CacheRule rule = selected.get();
        if (rule == null) {
            policy.set("");
            lastRun.set("");
            nextRun.set("");
            running.set(false);
            progressText.set("");
            return;
        }
        policy.set(policyText(rule));
        SyncStatus s = statuses.get(rule.name());
        if (s == null || s.lastOutcome() == null) {
            lastRun.set("Last sync: never.");
        } else if (isRunning(s)) {
            lastRun.set("Last sync: running since " + Formats.time(s.lastStartedAt()) + ".");
        } else {
            // An interrupted run has no end time: its start says which run it was.
            lastRun.set("Last sync: " + outcome(s.lastOutcome()) + " " + (s.lastFinishedAt() == null
                    ? "(started " + Formats.time(s.lastStartedAt()) + ")" : Formats.time(s.lastFinishedAt())) + " — "
                    + (s.lastSummary() == null ? "" : s.lastSummary()));
        }
        nextRun.set(s == null || s.nextRunAt() == null ? "Next sync: not scheduled (Sync now runs one)."
                : "Next sync: " + Formats.time(s.nextRunAt()) + ".");
        boolean busy = isRunning(s) || rule.name().equals(startedHere);
        running.set(busy);
        if (s != null && s.running() != null) {
            SyncProgress p = s.running();
            progress.set(p.tagsSelected() == 0 ? -1 : (double) p.tagsDone() / p.tagsSelected());
            progressText.set(p.tagsDone() + " of " + p.tagsSelected() + " tags, " + Formats.bytes(p.bytes())
                    + (p.tag() == null ? "" : " — " + p.repository() + ":" + p.tag()));
        } else if (!busy) {
            progressText.set("");
            progress.set(0);
        }
    }

    private static boolean isRunning(SyncStatus s) {
        return s != null && (s.running() != null || s.lastOutcome() == SyncStatus.Outcome.RUNNING);
    }

    private static String outcome(SyncStatus.Outcome o) {
        return switch (o) {
            case RUNNING -> "running";
            case SUCCEEDED -> "ok";
            case FAILED -> "failed";
            case CANCELLED -> "cancelled";
            case INTERRUPTED -> "interrupted";
        };
    }

    public ObjectProperty<CacheRule> selectedProperty() { return selected; }
    public ReadOnlyStringProperty policyProperty() { return policy.getReadOnlyProperty(); }
    public ReadOnlyStringProperty lastRunProperty() { return lastRun.getReadOnlyProperty(); }
    public ReadOnlyStringProperty nextRunProperty() { return nextRun.getReadOnlyProperty(); }
    public ReadOnlyStringProperty progressTextProperty() { return progressText.getReadOnlyProperty(); }
    /** From 0 to 1; -1 while the number of tags is not known yet. */
    public ReadOnlyDoubleProperty progressProperty() { return progress.getReadOnlyProperty(); }
    public ReadOnlyBooleanProperty runningProperty() { return running.getReadOnlyProperty(); }
    public ReadOnlyStringProperty errorProperty() { return error.getReadOnlyProperty(); }
    public ReadOnlyIntegerProperty looksProperty() { return looks.getReadOnlyProperty(); }
}
