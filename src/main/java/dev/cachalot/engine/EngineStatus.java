package dev.cachalot.engine;

/**
 * The registry server's state as the status bar shows it. {@code message} explains {@code ERROR}; {@code tls} says the
 * server serves HTTPS (clients must trust its CA).
 */
public record EngineStatus(State state, String address, String message, boolean tls) {

    /** A status of a plain HTTP server (or none). */
    public EngineStatus(State state, String address, String message) {
        this(state, address, message, false);
    }

    public enum State { STOPPED, STARTING, RUNNING, ERROR }
}
