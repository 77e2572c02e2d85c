package dev.cachalot.engine;

/**
 * The registry server's state as the status bar shows it. {@code message} explains {@code ERROR}; {@code tls} says the
 * server serves HTTPS (clients must trust its CA); {@code loginRequired} that clients must sign in to pull (the
 * listener checks credentials and anonymous pulls are off).
 */
public record EngineStatus(State state, String address, String message, boolean tls, boolean loginRequired) {

    /** A status of a plain HTTP server (or none), open to every client. */
    public EngineStatus(State state, String address, String message) {
        this(state, address, message, false, false);
    }

    /** A status of a server open to every client. */
    public EngineStatus(State state, String address, String message, boolean tls) {
        this(state, address, message, tls, false);
    }

    public enum State { STOPPED, STARTING, RUNNING, ERROR }
}
