package dev.cachalot.cli;

import dev.cachalot.engine.EngineAdmin;
import dev.cachalot.sync.SyncReport;
import dev.cachalot.sync.SyncRequest;
import dev.cachalot.sync.SyncedTag;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cachalot rules sync NAME [--tag T] [--dry-run]}: one sync run now, with what it fetched (or would fetch). Exit 0
 * when every selected tag is cached (a dry run: when nothing stands in the way), 3 otherwise with the reason on stderr (1,
 * as for every command, when it could not run: no such rule, an engine that does not answer).
 */
@Command(name = "sync", mixinStandardHelpOptions = true, description = "Sync a rule now: fetch the tags its sync policy selects.",
        footer = {"", "Exit status 0 when every selected tag is cached (with --dry-run: when the run found nothing in the way),",
                "3 when a tag or repository failed or the run was stopped, 1 when it could not run."})
final class RulesSyncCommand extends EngineCommand {

    /** As {@code bundle export} when it leaves tags out: the command ran, and not everything asked for is there. */
    static final int NOT_ALL_CACHED = 3;

    @Parameters(paramLabel = "NAME")
    String name;
    @Option(names = "--tag", paramLabel = "T", description = "Sync only this tag (whether or not the rule's tag filter takes it).")
    String tag;
    @Option(names = "--dry-run", description = "Fetch and store nothing: print what a run would fetch.")
    boolean dryRun;

    /** Set by a stop signal; the run is then cancelled at its next step, however early the signal came. */
    private volatile boolean stopRequested;

    @Override
    protected Runnable stopRequest(EngineAdmin engine) {
        if (dryRun) return null; // stores nothing: the JVM's own Ctrl-C ends it at once
        // Ctrl-C: the run stops between steps, so no tag is left pointing at content not yet stored, and records why
        // before the engine closes and the process exits.
        return () -> {
            stopRequested = true;
            engine.cancelSync(name);
        };
    }

    @Override
    protected int run(EngineAdmin engine) {
        RulesCommand.find(engine, name);
        SyncRequest request = new SyncRequest(tag, dryRun);
        AtomicBoolean cancelled = new AtomicBoolean();
        // A signal before the run had started cancelled nothing: the run's first step does.
        SyncReport report = engine.syncRule(name, request, progress -> {
            if (stopRequested && cancelled.compareAndSet(false, true)) engine.cancelSync(name);
        });
        print(report);
        if (report.complete()) return 0;
        spec.commandLine().getErr().println("cachalot: " + failure(report));
        return NOT_ALL_CACHED;
    }

    private void print(SyncReport r) {
        for (SyncedTag t : r.tags()) {
            String what = t.action().word();
            String counts = t.manifests() + " manifests, " + t.blobs() + " blobs, " + t.bytes() + " bytes";
            out().println(String.format("%-12s %s:%s  %s%s", what, t.repository(), t.tag(),
                    t.action() == SyncedTag.Action.UNCHANGED ? (t.digest() == null ? "" : t.digest()) : counts,
                    t.detail() == null ? "" : " (" + t.detail() + ")"));
        }
        for (String pause : r.pauses()) out().println("waited       " + pause);
        String verb = r.dryRun() ? "Would fetch " + r.tagsToFetch() : "Fetched " + r.tagsFetched();
        out().println((r.dryRun() ? "Dry run of rule " : "Synced rule ") + r.ruleName() + ": " + r.tagsSelected() + " tags selected in "
                + r.repositories().size() + (r.repositories().size() == 1 ? " repository" : " repositories") + "; "
                + verb + ", " + r.tagsUnchanged() + " unchanged"
                + (r.tagsSkipped() > 0 ? ", " + r.tagsSkipped() + " skipped" : "")
                + (r.tagsFailed() > 0 ? ", " + r.tagsFailed() + " failed" : "")
                + "; " + r.manifests() + " manifests, " + r.blobs() + " blobs, " + r.bytes() + " bytes ("
                + Table.bytes(r.bytes()) + ")" + (r.cancelled() ? "; stopped before the end" : ""));
    }

    private static String failure(SyncReport r) {
        if (r.cancelled()) return "sync of rule " + r.ruleName() + " was stopped before the end: not every selected tag is cached";
        String first = r.errors().isEmpty() ? "" : ": " + r.errors().get(0)
                + (r.errors().size() > 1 ? " (and " + (r.errors().size() - 1) + " more)" : "");
        return "not every selected tag of rule " + r.ruleName() + " is cached" + first;
    }
}
