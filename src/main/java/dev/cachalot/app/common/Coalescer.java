package dev.cachalot.app.common;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Turns a burst of signals (an image pull is one manifest event and one event per blob) into one action on the UI
 * thread, so live pages refresh once per burst instead of once per event.
 */
public final class Coalescer {
    private final Async async;
    private final Runnable action;
    private final AtomicBoolean pending = new AtomicBoolean();

    public Coalescer(Async async, Runnable action) {
        this.async = async;
        this.action = action;
    }

    /** May be called from any thread. */
    public void signal() {
        if (pending.compareAndSet(false, true)) {
            async.post(() -> {
                pending.set(false);
                action.run();
            });
        }
    }
}
