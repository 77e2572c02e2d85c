package dev.cachalot.testing;

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
}
