package dev.cachalot.engine;

/**
 * A token that moves after every committed configuration change, from any writer this engine must hear of; asked on
 * every request, so it must be cheap. Two reads that return the same token saw no change in between.
 */
interface ChangeSignal extends AutoCloseable {
    /** No token could be read: the configuration may have changed. */
    long UNKNOWN = Long.MIN_VALUE;

    /** The current token, or {@link #UNKNOWN}. */
    long read();

    @Override
    void close();
}
