package dev.cachalot.api.client;

import dev.cachalot.engine.EngineException;

/** The remote engine did not answer (refused, reset, timed out, TLS failed); the message is one line naming it. */
public final class EngineUnreachableException extends EngineException {
    public EngineUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
