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
import dev.cachalot.sync.SyncReport;
import dev.cachalot.sync.SyncRequest;
import dev.cachalot.sync.SyncStatus;
import dev.cachalot.sync.SyncedTag;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javafx.animation.PauseTransition;
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
 * <p>Progress is polled, only while the page is shown ({@link #start} to {@link #stop}): once a second while a run is
 * visible (started here, or seen running in the last look), every {@link #IDLE_POLL} otherwise, so a run started by the
 * CLI, another portal or the scheduler shows with its progress without leaving the page. Each look is one call
 * ({@code syncStatuses}: one query locally, one small GET on a remote engine).
 */
public final class RuleSyncViewModel {
    /** Often enough for a progress bar a person watches; one small call to the engine each time. */
    static final Duration POLL = Duration.seconds(1);
    /** While nothing runs: how soon a run started elsewhere shows, for one small call every few seconds. */
    static final Duration IDLE_POLL = Duration.seconds(4);

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
    /** Made on the first {@link #start}: a view model that is never shown needs no FX toolkit (its tests run without one). */
    private PauseTransition poll;
    private boolean shown;
    private boolean looking;
    /**
     * A run asked for here that the statuses may not show yet (the engine records its start on its own thread): keep
     * looking until a start later than {@link #startedAfter} shows and ends, for at most {@link #PATIENCE} looks.
     */
    private String startedHere;
    private java.time.Instant startedAfter;
    private int lookedFor;
    private static final int PATIENCE = 30;
    static final String ELSEWHERE = "Running in another process (the CLI, or an engine sharing this database).";

    public RuleSyncViewModel(AppContext context) {
        this.engine = context.engine();
        this.async = context.async();
        selected.addListener((o, a, rule) -> {
            error.set("");
            show();
        });
    }

    /** The page is shown: look now, and keep looking until {@link #stop}. */
    public void start() {
        shown = true;
        look();
    }

    /** Reads every rule's sync status now; while the page is shown, the next look follows, sooner while a run goes on. */
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
            lookAgainIn(anyRunning || startedHere != null ? POLL : IDLE_POLL);
            looks.set(looks.get() + 1);
            show();
        }, e -> {
            looking = false;
            // an engine that does not answer now may later (a remote one restarting): keep trying, at the slow pace
            lookAgainIn(IDLE_POLL);
            error.set(Messages.human(e));
        });
    }

    /** One timer, re-armed after each look: looks asked for elsewhere (a reload, Sync now) never add a second one. */
    private void lookAgainIn(Duration delay) {
        if (!shown) return;
        if (poll == null) {
            poll = new PauseTransition();
            poll.setOnFinished(e -> look());
        }
        poll.stop();
        poll.setDuration(delay);
        poll.playFromStart();
    }

    /** The page is hidden: no more looks until it is shown again. */
    public void stop() {
        shown = false;
        if (poll != null) poll.stop();
    }

    /**
     * Starts a run of the selected rule on the engine (in the background there; its progress shows here), of every tag
     * its policy selects, or of {@code tag} alone. {@code started} runs once the engine took it; {@code refused} gets
     * why not (a run going on already, a mistyped tag), in words for the Sync now dialog.
     */
    public void syncNow(String tag, Runnable started, Consumer<String> refused) {
        CacheRule rule = selected.get();
        if (rule == null) return;
        SyncRequest request;
        try {
            request = new SyncRequest(tag, false);
        } catch (IllegalArgumentException e) {
            refused.accept(Messages.human(e));
            return;
        }
        error.set("");
        async.run(() -> engine.startSync(rule.name(), request), ok -> {
            if (!ok) {
                refused.accept("A sync of rule " + rule.name() + " is running already.");
            } else {
                SyncStatus before = statuses.get(rule.name());
                startedHere = rule.name();
                startedAfter = before == null ? null : before.lastStartedAt();
                lookedFor = 0;
                running.set(true);
                progressText.set("Starting…");
                progress.set(-1);
                started.run();
            }
            look();
        }, e -> refused.accept(Messages.human(e)));
    }

    /**
     * A dry run of the selected rule (of {@code tag} alone, or of every tag its policy selects): what a run would fetch,
     * storing nothing and downloading no blob. {@code progress} hears how far it got. Cancelling the returned handle
     * interrupts the run, which stops it between steps.
     */
    public Async.Cancellable preview(String tag, Consumer<String> progress, Consumer<SyncReport> shown, Consumer<String> failed) {
        CacheRule rule = selected.get();
        if (rule == null) return () -> { };
        SyncRequest request;
        try {
            request = new SyncRequest(tag, true);
        } catch (IllegalArgumentException e) {
            failed.accept(Messages.human(e));
            return () -> { };
        }
        return async.run(() -> engine.syncRule(rule.name(), request, p -> async.post(() -> progress.accept("Looking: "
                + p.tagsDone() + " of " + p.tagsSelected() + " tags" + (p.tag() == null ? "" : " — " + p.repository() + ":" + p.tag())))),
                shown, e -> failed.accept(Messages.human(e)));
    }

    /** Why {@code tag} cannot be asked for ({@code SyncRequest}'s words, as the CLI's), or "" when it can (empty: every tag). */
    static String tagProblem(String tag) {
        try {
            new SyncRequest(tag, true);
            return "";
        } catch (IllegalArgumentException e) {
            return Messages.human(e);
        }
    }

    /** A dry run's outcome in one line: "Would fetch 2 of 3 tags in 1 repository (1 unchanged): 2 manifests, 6 blobs, 1.2 MB." */
    static String previewSummary(SyncReport r) {
        String s = "Would fetch " + r.tagsToFetch() + " of " + r.tagsSelected() + (r.tagsSelected() == 1 ? " tag" : " tags")
                + " in " + r.repositories().size() + (r.repositories().size() == 1 ? " repository" : " repositories")
                + (r.tagsUnchanged() > 0 ? " (" + r.tagsUnchanged() + " unchanged)" : "")
                + (r.tagsSkipped() > 0 ? ", " + r.tagsSkipped() + " skipped" : "")
                + (r.tagsFailed() > 0 ? ", " + r.tagsFailed() + " failed" : "")
                + ": " + count(r.manifests(), "manifest") + ", " + count(r.blobs(), "blob") + ", " + Formats.bytes(r.bytes()) + ".";
        if (!r.errors().isEmpty()) s += " First error: " + r.errors().get(0);
        return s;
    }

    /** One selected tag of a dry run: "would fetch  app:3.19 — 1 manifest, 3 blobs, 2.0 KB". */
    static String previewLine(SyncedTag t) {
        String what = t.action().word();
        String counts = t.action() == SyncedTag.Action.UNCHANGED || t.action() == SyncedTag.Action.FAILED ? ""
                : " — " + count(t.manifests(), "manifest") + ", " + count(t.blobs(), "blob") + ", " + Formats.bytes(t.bytes());
        return what + "  " + t.repository() + ":" + t.tag() + counts + (t.detail() == null ? "" : " (" + t.detail() + ")");
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    public void cancel() {
        CacheRule rule = selected.get();
        if (rule == null) return;
        async.run(() -> engine.cancelSync(rule.name()), asked -> {
            if (asked) {
                progressText.set("Stopping after the current step…");
            } else if (ELSEWHERE.equals(progressText.get())) {
                error.set("This run is not in this engine: stop it where it runs (Ctrl+C for the CLI).");
            }
            look();
        }, e -> error.set(Messages.human(e)));
    }

    /**
     * Saves the policy as typed; the engine checks it and its refusal goes to {@code refused} in its own words, one
     * sentence a problem (the dialog shows each under its field, and stays open to fix it).
     */
    public void savePolicy(CacheRule rule, SyncDraft draft, Consumer<CacheRule> saved, Consumer<List<String>> refused) {
        async.run(() -> engine.updateRuleSync(rule.name(), draft), changed -> {
            if (rule.equals(selected.get())) selected.set(changed);
            saved.accept(changed);
            look();
        }, e -> refused.accept(Messages.problems(e)));
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
        if (!p.includeArtifactTypes().isEmpty()) text += ", only artifact types " + String.join(",", p.includeArtifactTypes());
        if (!p.excludeArtifactTypes().isEmpty()) text += ", not artifact types " + String.join(",", p.excludeArtifactTypes());
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
        } else if (!rule.name().equals(startedHere)) {
            // recorded as running by another process sharing the database: its progress is known only there
            progress.set(-1);
            progressText.set(ELSEWHERE);
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
