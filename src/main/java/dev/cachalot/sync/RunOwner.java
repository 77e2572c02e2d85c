package dev.cachalot.sync;

import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The process running a sync, as recorded beside a RUNNING run ({@code rule_sync_runs.run_by}): its pid and the instant
 * the operating system says it started. The pair, not the pid alone, names it: a pid is reused once its process is gone,
 * and a process killed with {@code kill -9} (or a machine that lost power) never records the end of its run.
 *
 * <p>Only meaningful on the machine that wrote it: the processes sharing a data folder's embedded database are all on
 * one machine (H2's AUTO_SERVER listens on loopback only). Engines sharing a PostgreSQL database tell a living run by
 * the rule's turn instead (see {@link SyncTurns#isHeld}).
 */
record RunOwner(long pid, Instant startedAt) {

    private static final Pattern TEXT = Pattern.compile("pid (\\d+)(?: started (\\S+))?");

    /** This process. */
    static RunOwner current() {
        ProcessHandle self = ProcessHandle.current();
        return new RunOwner(self.pid(), self.info().startInstant().orElse(null));
    }

    /** What {@link #text()} wrote, or empty for anything else (a row written before owners were recorded). */
    static Optional<RunOwner> parse(String text) {
        if (text == null) return Optional.empty();
        Matcher m = TEXT.matcher(text);
        if (!m.matches()) return Optional.empty();
        try {
            return Optional.of(new RunOwner(Long.parseLong(m.group(1)), m.group(2) == null ? null : Instant.parse(m.group(2))));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** "pid 1234 started 2026-12-05T03:00:00.120Z". */
    String text() {
        return "pid " + pid + (startedAt == null ? "" : " started " + startedAt);
    }

    /** Whether this process still runs on this machine (the same pid that started at the same instant). */
    boolean isAlive() {
        Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (process.isEmpty()) return false;
        if (startedAt == null) return true;
        return process.get().info().startInstant().map(startedAt::equals).orElse(true);
    }

    /** Whether the process that wrote {@code runBy} still runs on this machine; false for no or an unknown owner. */
    static boolean isAlive(String runBy) {
        return parse(runBy).map(RunOwner::isAlive).orElse(false);
    }
}
