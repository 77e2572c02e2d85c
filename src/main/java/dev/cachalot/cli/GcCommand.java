package dev.cachalot.cli;

import dev.cachalot.engine.EngineAdmin;
import dev.cachalot.engine.GarbageCollectionReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Garbage collection on request. With {@code --engine URL} the running engine collects (for a cluster: the node the
 * address reaches, for all of them, one node at a time); without it, the data folder is opened here as by the other
 * commands, and a collection (not a dry run) is refused while an engine serves that folder: only that engine knows
 * which blobs its clients are reading.
 */
@Command(name = "gc", mixinStandardHelpOptions = true,
        description = "Delete the cached blobs no image refers to any more (kept: blobs stored within the grace period,"
                + " and blobs an engine is serving right now).")
final class GcCommand extends EngineCommand {
    @Option(names = "--dry-run", description = "Delete nothing; print what would be deleted.")
    boolean dryRun;
    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    protected int run(EngineAdmin engine) throws Exception {
        GarbageCollectionReport r = engine.collectGarbage(dryRun);
        if (json) {
            printJson(r);
            return 0;
        }
        out().println((r.dryRun() ? "Would remove " : "Removed ") + r.removed() + " unreferenced blob(s), "
                + Table.bytes(r.bytesRemoved()) + " (" + r.bytesRemoved() + " bytes), of " + r.examined() + " stored.");
        if (r.keptBeingRead() > 0) {
            out().println("Kept " + r.keptBeingRead() + " unreferenced blob(s) that an engine is serving now; a later gc removes them.");
        }
        if (r.keptRecent() > 0) {
            out().println("Kept " + r.keptRecent() + " blob(s) stored within the grace period (" + r.grace() + ").");
        }
        return 0;
    }
}
