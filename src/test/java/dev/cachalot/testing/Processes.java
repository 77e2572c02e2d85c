package dev.cachalot.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Stopping child processes the way every fixture here does: SIGTERM, then SIGKILL after a bounded wait. */
public final class Processes {
    private Processes() {
    }

    /** Sends SIGTERM, waits up to {@code grace}, then SIGKILLs and waits up to {@code grace} again. */
    public static void stop(Process process, Duration grace) {
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Sends {@code signal} ({@code INT}, {@code HUP}...) to {@code process} with {@code /usr/bin/kill}: Java sends only
     * SIGTERM and SIGKILL itself. Fails, naming the Debian package, when the command is missing or refused.
     */
    public static void signal(Process process, String signal) throws IOException, InterruptedException {
        Path kill = Path.of("/usr/bin/kill");
        if (!Files.isExecutable(kill)) {
            throw new IllegalStateException("/usr/bin/kill is missing: install the Debian package procps"
                    + " (./scripts/install-test-deps.sh)");
        }
        Process sent = new ProcessBuilder(kill.toString(), "-s", signal, Long.toString(process.pid())).inheritIO().start();
        if (!sent.waitFor(30, TimeUnit.SECONDS)) {
            sent.destroyForcibly();
            throw new IllegalStateException("kill -s " + signal + " did not return within 30 s");
        }
        if (sent.exitValue() != 0) {
            throw new IllegalStateException("kill -s " + signal + " " + process.pid() + " exited with " + sent.exitValue());
        }
    }
}
