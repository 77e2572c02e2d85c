package dev.cachalot.testing;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Bounded retries for what another thread or process makes true a little later (a rule picked up by a running
 * engine, pull events flushed in the background). A hang guard, not a timing assertion: the limit is generous and
 * only the last failure is reported.
 */
public final class Eventually {
    private static final Duration PAUSE = Duration.ofMillis(100);

    private Eventually() {
    }

    /** Calls {@code attempt} until it returns without an {@link AssertionError} (or a runtime exception) or {@code limit} passes. */
    public static <T> T within(Duration limit, Supplier<T> attempt) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            try {
                return attempt.get();
            } catch (AssertionError | RuntimeException e) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("still failing after " + limit + ": " + e.getMessage(), e);
                }
            }
            try {
                Thread.sleep(PAUSE.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting", e);
            }
        }
    }

    /** {@link #within(Duration, Supplier)} for checks without a result. */
    public static void within(Duration limit, Runnable check) {
        within(limit, () -> {
            check.run();
            return null;
        });
    }
}
