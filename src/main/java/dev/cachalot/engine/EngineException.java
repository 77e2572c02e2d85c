package dev.cachalot.engine;

/** The engine could not do what was asked; the message is meant for the user. */
public class EngineException extends RuntimeException {
    public EngineException(String message, Throwable cause) {
        super(message, cause);
    }

    public EngineException(String message) {
        super(message);
    }
}
