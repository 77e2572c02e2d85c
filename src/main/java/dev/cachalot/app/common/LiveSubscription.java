package dev.cachalot.app.common;

/** A page's engine subscription while the page is shown: opened when it is activated, closed when it is left. */
public final class LiveSubscription {
    private AutoCloseable handle;

    /** Replaces any subscription still open (a page activated twice keeps one). */
    public void open(AutoCloseable subscription) {
        close();
        handle = subscription;
    }

    public void close() {
        if (handle == null) return;
        try {
            handle.close();
        } catch (Exception ignored) {
            // unsubscribing from an engine list cannot fail in a way the user could act on
        }
        handle = null;
    }
}
