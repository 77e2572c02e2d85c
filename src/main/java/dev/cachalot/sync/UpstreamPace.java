package dev.cachalot.sync;

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
        public void beforeCall(String loginServer, BooleanSupplier stop) {
        }

        @Override
        public void after(String loginServer, UpstreamException failure) {
        }
    };

    /** Blocks while the upstream should not be called; returns early when {@code stop} says so. */
    void beforeCall(String loginServer, BooleanSupplier stop);

    /** An upstream call of the sync failed (a 429 makes the next {@link #beforeCall} wait). */
    void after(String loginServer, UpstreamException failure);
}
