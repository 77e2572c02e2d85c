package dev.cachalot.engine;

/** The registry server's state as the status bar shows it. {@code message} explains {@code ERROR}. */
public record EngineStatus(State state, String address, String message) {
    public enum State { STOPPED, STARTING, RUNNING, ERROR }
}
