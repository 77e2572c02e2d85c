package dev.cachalot.sync;

import dev.cachalot.rules.Upstream;
import dev.cachalot.upstream.UpstreamException;
import java.util.function.BooleanSupplier;

/**
 * Keeps a sync within an upstream's limits: asked before each upstream call of a sync, it may hold the sync back (a
 * rate limit about to run out, a 429's {@code Retry-After}), and it hears of each failed call.
 */
public interface UpstreamPace {

    /** No limits known. */
    UpstreamPace NONE = new UpstreamPace() {
        @Override
        public String beforeCall(Upstream upstream, BooleanSupplier stop) {
            return null;
        }

        @Override
        public void after(Upstream upstream, UpstreamException failure) {
        }
    };

    /**
     * Blocks while the upstream should not be called; returns early when {@code stop} says so.
     *
     * @return why and how long it held the sync back (for the run's report), or null when it did not
     */
    String beforeCall(Upstream upstream, BooleanSupplier stop);

    /** An upstream call of the sync failed (a 429 makes the next {@link #beforeCall} wait). */
    void after(Upstream upstream, UpstreamException failure);
}
