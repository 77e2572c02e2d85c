package dev.cachalot.app.common;

import java.util.List;
import java.util.function.Function;

/** A view's engine subscriptions while it is shown: opened when it is activated, closed when it is left. */
public final class LiveSubscription {
    private List<AutoCloseable> handles = List.of();

    /** Replaces any subscriptions still open (a view activated twice keeps one set). */
    public void open(AutoCloseable... subscriptions) {
        close();
        handles = List.of(subscriptions);
    }

    /**
     * Runs {@code refresh} now and, while open, again once per burst of the events {@code subscribe} signals (on the UI
     * thread): {@code subscribe} takes the signal to fire and returns the engine's unsubscribe handle.
     */
    public void refreshOn(Async async, Runnable refresh, Function<Runnable, AutoCloseable> subscribe) {
        refresh.run();
        Coalescer refresher = new Coalescer(async, refresh);
        open(subscribe.apply(refresher::signal));
    }

    public void close() {
        for (AutoCloseable handle : handles) {
            try {
                handle.close();
            } catch (Exception ignored) {
                // unsubscribing from an engine list cannot fail in a way the user could act on
            }
        }
        handles = List.of();
    }
}
