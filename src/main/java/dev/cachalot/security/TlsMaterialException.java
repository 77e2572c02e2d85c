package dev.cachalot.security;

/** TLS files that cannot be used; the message names the file and the fault, never key material. */
public final class TlsMaterialException extends RuntimeException {
    public TlsMaterialException(String message) {
        super(message);
    }

    public TlsMaterialException(String message, Throwable cause) {
        super(message, cause);
    }
}
